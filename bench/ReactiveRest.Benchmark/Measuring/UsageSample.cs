using System.Diagnostics;
using ReactiveRest.Benchmark.Stack;

namespace ReactiveRest.Benchmark.Measuring;

/// <summary>
/// CPU ticks and resident memory of the monitored processes at one instant (PostgreSQL's with its backends).
/// </summary>
internal sealed class UsageSample
{
    /// <summary>What the busy share of the machine is labelled: all its cores, whoever used them.</summary>
    public const string Machine = "machine";

    /// <summary>The machine's busy time not spent by the monitored processes: other work on the shared cores (Aspire's DCP among it).</summary>
    public const string Others = "others";

    private readonly (long Busy, long Total) _machine;

    private UsageSample(long timestamp, Dictionary<string, Dictionary<int, long>> ticks, Dictionary<string, long> rss, (long Busy, long Total) machine)
    {
        _machine = machine;
        Timestamp = timestamp;
        Ticks = ticks;
        Rss = rss;
    }

    public long Timestamp { get; }

    /// <summary>Per label, CPU ticks per process.</summary>
    public IReadOnlyDictionary<string, Dictionary<int, long>> Ticks { get; }

    /// <summary>Per label, resident bytes: VmRSS of a single process, the sum of Pss over a process tree.</summary>
    public IReadOnlyDictionary<string, long> Rss { get; }

    /// <summary>Per label, how many processes it counted (PostgreSQL: the postmaster, its helpers and one backend per connection).</summary>
    public IReadOnlyDictionary<string, int> ProcessCounts => Ticks.ToDictionary(label => label.Key, label => label.Value.Count, StringComparer.Ordinal);

    public static UsageSample Take(IEnumerable<MonitoredProcess> processes)
    {
        var ticks = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
        var rss = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var process in processes)
        {
            var perPid = new Dictionary<int, long>();
            long resident = 0;
            foreach (var pid in process.WithDescendants ? ProcFs.WithDescendants(process.Pid) : [process.Pid])
            {
                if (ProcFs.CpuTicks(pid) is { } cpu)
                {
                    perPid[pid] = cpu;
                }

                // A process tree shares memory (PostgreSQL's shared buffers): its proportional share, not each one's RSS.
                resident += (process.WithDescendants ? ProcFs.PssBytes(pid) : ProcFs.RssBytes(pid)) ?? 0;
            }

            ticks[process.Label] = perPid;
            rss[process.Label] = resident;
        }

        return new UsageSample(Stopwatch.GetTimestamp(), ticks, rss, ProcFs.MachineTicks());
    }

    /// <summary>CPU used between two samples, per label, as a percentage of one core (200 % is both cores of this machine).</summary>
    public static Dictionary<string, double> CpuPercent(UsageSample before, UsageSample after)
    {
        var seconds = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;
        var percent = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (label, ticks) in after.Ticks)
        {
            var earlier = before.Ticks.GetValueOrDefault(label) ?? [];
            var used = ticks.Sum(pid => pid.Value - earlier.GetValueOrDefault(pid.Key, 0));
            percent[label] = used / ProcFs.TicksPerSecond / seconds * 100;
        }

        // The machine's busy share over the same time, in the same unit (% of one core), and what of it was not ours.
        var total = after._machine.Total - before._machine.Total;
        var machine = total == 0 ? 0 : (double)(after._machine.Busy - before._machine.Busy) / total * Environment.ProcessorCount * 100;
        percent[Others] = Math.Max(0, machine - percent.Values.Sum());
        percent[Machine] = machine;
        return percent;
    }
}
