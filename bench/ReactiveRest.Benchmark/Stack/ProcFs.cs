using System.Globalization;
using System.Net;

namespace ReactiveRest.Benchmark.Stack;

/// <summary>What Linux's /proc tells about a process: its memory, its CPU time, its children and its listening sockets.</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ, the unit of utime and stime in /proc/{pid}/stat; 100 on every Linux this runs on.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>Resident set size in bytes (VmRSS), or null when the process is gone.</summary>
    public static long? RssBytes(int pid)
    {
        foreach (var line in ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>
    /// Proportional set size in bytes (shared pages divided among the processes sharing them), or null when the
    /// process is gone: summed over PostgreSQL's processes it counts shared buffers once, where VmRSS would count them
    /// once per backend.
    /// </summary>
    public static long? PssBytes(int pid)
    {
        foreach (var line in ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                var kilobytes = line["Pss:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>User plus system CPU time in ticks, or null when the process is gone.</summary>
    public static long? CpuTicks(int pid) =>
        StatFields(pid) is { } fields
            ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
            : null;

    /// <summary>The whole machine's CPU time so far, in ticks summed over its cores: (busy, total).</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var fields = ReadLines("/proc/stat").First(line => line.StartsWith("cpu ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        // idle and iowait are the time no process ran.
        return (total - fields[3] - fields[4], total);
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.</summary>
    public static string LoadAverage() => string.Join(" ", ReadLines("/proc/loadavg").FirstOrDefault()?.Split(' ').Take(3) ?? []);

    /// <summary>The process and every process below it.</summary>
    public static IReadOnlyList<int> WithDescendants(int pid)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var child) && StatFields(child) is { } fields)
            {
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!parents.TryGetValue(parent, out var children))
                {
                    parents[parent] = children = [];
                }

                children.Add(child);
            }
        }

        var all = new List<int> { pid };
        for (var i = 0; i < all.Count; i++)
        {
            if (parents.TryGetValue(all[i], out var children))
            {
                all.AddRange(children);
            }
        }

        return all;
    }

    /// <summary>The TCP endpoints a process listens on: sockets in state LISTEN whose inode is one of its descriptors.</summary>
    public static IReadOnlyList<IPEndPoint> ListeningEndpoints(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var descriptor in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(descriptor).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target["socket:[".Length..^1]);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var endpoints = new List<IPEndPoint>();
        foreach (var file in new[] { "tcp", "tcp6" })
        {
            foreach (var line in ReadLines($"/proc/{pid}/net/{file}").Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A" && inodes.Contains(fields[9]))
                {
                    var local = fields[1].Split(':');
                    var port = int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    endpoints.Add(new IPEndPoint(ParseAddress(local[0]), port));
                }
            }
        }

        return endpoints;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The fields of /proc/{pid}/stat after the command name: [0] is the state (field 3), [1] the parent.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>/proc/net/tcp writes addresses as little-endian 32-bit words in hex.</summary>
    private static IPAddress ParseAddress(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        return new IPAddress(bytes);
    }
}
