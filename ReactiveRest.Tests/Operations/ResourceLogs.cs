using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace ReactiveRest.Tests.Operations;

/// <summary>
/// Every console line of every resource of a running application, each replica on its own, from its first line: what
/// an operator reads in the dashboard, and what a check in CI would grep.
/// </summary>
public sealed partial class ResourceLogs : IAsyncDisposable
{
    private readonly ConcurrentQueue<ResourceLogLine> _lines = new();
    private readonly ConcurrentDictionary<string, Task> _watches = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _discovery;

    /// <summary>Starts watching; from before the application starts, so that no resource is missed.</summary>
    public ResourceLogs(DistributedApplication app)
    {
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        _discovery = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in notifications.WatchAsync(_stop.Token))
                {
                    _ = _watches.GetOrAdd(change.ResourceId, id => WatchAsync(loggers, change.Resource.Name, id));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public IReadOnlyList<ResourceLogLine> Lines => [.. _lines];

    /// <summary>The lines of the .NET services grouped into their log records (lines before the first record are dropped).</summary>
    public IReadOnlyList<ConsoleLogEntry> Entries(string resource)
    {
        var entries = new List<ConsoleLogEntry>();
        foreach (var replica in Lines.Where(line => line.Resource == resource).GroupBy(line => line.ResourceId))
        {
            ConsoleLogEntry? current = null;
            foreach (var line in replica)
            {
                var header = EntryHeader().Match(line.Text);
                if (header.Success)
                {
                    Add(current);
                    current = new ConsoleLogEntry(line.Resource, line.ResourceId, line.Time, header.Groups["level"].Value, header.Groups["category"].Value, header.Groups["rest"].Value);
                }
                else if (current is not null && line.Text.StartsWith(' '))
                {
                    current = current with { Text = current.Text.Length == 0 ? line.Text.Trim() : current.Text + "\n" + line.Text.Trim() };
                }
                else
                {
                    // Not the formatter's: a stray line written to the console.
                    Add(current);
                    current = new ConsoleLogEntry(line.Resource, line.ResourceId, line.Time, line.IsError ? "stderr" : "stdout", "", line.Text);
                }
            }

            Add(current);
        }

        return entries;

        void Add(ConsoleLogEntry? entry)
        {
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }
    }

    /// <summary>Waits until a record of <paramref name="resource"/> satisfies <paramref name="match"/>: lines arrive late.</summary>
    public async Task<ConsoleLogEntry> WaitForEntryAsync(string resource, Func<ConsoleLogEntry, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Entries(resource).FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No such log record of {resource} within {timeout}. Its records:\n{string.Join("\n", Entries(resource))}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private async Task WatchAsync(ResourceLoggerService loggers, string resource, string resourceId)
    {
        try
        {
            await foreach (var batch in loggers.WatchAsync(resourceId).WithCancellation(_stop.Token))
            {
                var received = DateTimeOffset.UtcNow;
                foreach (var line in batch)
                {
                    var (time, text) = SplitTimestamp(Ansi().Replace(line.Content, ""));
                    _lines.Enqueue(new ResourceLogLine(resource, resourceId, time ?? received, text, line.IsErrorMessage));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The orchestrator prefixes each line with when it read it, in RFC 3339 with up to nine fraction digits.</summary>
    private static (DateTimeOffset? Time, string Text) SplitTimestamp(string content)
    {
        var match = Timestamp().Match(content);
        if (!match.Success)
        {
            return (null, content);
        }

        var fraction = match.Groups["fraction"].Value;
        var text = $"{match.Groups["seconds"].Value}{(fraction.Length > 0 ? "." + fraction[..Math.Min(7, fraction.Length)] : "")}{match.Groups["zone"].Value}";
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? (time.ToUniversalTime(), content[match.Length..])
            : (null, content);
    }

    [GeneratedRegex(@"^(?<seconds>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.(?<fraction>\d+))?(?<zone>Z|[+-]\d{2}:\d{2}) ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"^(?<level>trce|dbug|info|warn|fail|crit): (?<category>[^\[\s]+)(\[[^\]]*\])?(?<rest>.*)$")]
    private static partial Regex EntryHeader();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _discovery;
        await Task.WhenAll(_watches.Values);
        _stop.Dispose();
    }
}
