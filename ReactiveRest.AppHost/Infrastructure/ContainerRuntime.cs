using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// Asks the container runtime Aspire would use whether its engine answers. A missing daemon would otherwise leave
/// every container, and everything that waits for one, in "Waiting" for ever.
/// </summary>
public static class ContainerRuntime
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public static bool IsHealthy(IConfiguration configuration, out string why)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } configured ? configured : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                why = $"'{runtime} info' did not answer within {ProbeTimeout.TotalSeconds} seconds.";
                return false;
            }

            why = process.ExitCode == 0 ? "" : $"'{runtime} info' failed: its engine is not running.";
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            why = $"no '{runtime}' command is installed.";
            return false;
        }
    }
}
