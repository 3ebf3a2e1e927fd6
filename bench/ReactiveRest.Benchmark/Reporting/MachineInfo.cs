using System.Runtime.InteropServices;

namespace ReactiveRest.Benchmark.Reporting;

/// <summary>The machine a run measured, as the report states it.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, double MemoryGib, string OperatingSystem, string DotNet, string Kernel)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        Field("/proc/cpuinfo", "model name", ':') ?? "unknown",
        (double.TryParse(Field("/proc/meminfo", "MemTotal", ':')?.Split(' ')[0], out var kib) ? kib : 0) / 1024 / 1024,
        Field("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        "Linux " + (Read("/proc/sys/kernel/osrelease") ?? "unknown"));

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? Field(string path, string name, char separator)
    {
        try
        {
            return File.ReadLines(path)
                .Where(line => line.StartsWith(name, StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf(separator) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
