using System.Globalization;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Benchmark.Measuring;

/// <summary>Redis's own account of its memory (<c>INFO memory</c>): what the data takes, which RSS alone would blur.</summary>
internal static class RedisMemory
{
    /// <summary><c>used_memory</c> in bytes, or null when Redis did not answer (the figure is then not reported).</summary>
    public static async Task<long?> UsedBytesAsync(string connectionString, CancellationToken cancellationToken)
    {
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries);
        var port = int.Parse(parts[0][(parts[0].LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        var password = parts.FirstOrDefault(part => part.StartsWith("password=", StringComparison.Ordinal))?["password=".Length..] ?? "";
        try
        {
            var info = await RedisProbe.QueryAsync(port, password, ["INFO", "memory"], cancellationToken);
            var line = info.Split('\n').Select(text => text.Trim()).FirstOrDefault(text => text.StartsWith("used_memory:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["used_memory:".Length..], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
