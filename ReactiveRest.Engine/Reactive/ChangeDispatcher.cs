using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// Hands the change keys of committed writes to the <see cref="ChangeFeed"/> in commit order, off the request path,
/// and keeps retrying while Redis is unreachable so that a Redis outage delays updates instead of losing them.
/// A process that dies with changes still queued loses them: the outbox in PostgreSQL is the planned fix.
/// </summary>
public sealed class ChangeDispatcher(ChangeFeed feed, ILogger<ChangeDispatcher> logger) : BackgroundService
{
    private readonly Channel<(IReadOnlyList<string> Keys, ActivityContext Context)> _queue =
        Channel.CreateUnbounded<(IReadOnlyList<string>, ActivityContext)>(new() { SingleReader = true });

    /// <summary>Call after the transaction committed.</summary>
    public void Enqueue(IReadOnlyList<string> changeKeys) =>
        _queue.Writer.TryWrite((changeKeys, Activity.Current?.Context ?? default));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (keys, context) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var activity = Telemetry.Source.StartActivity("publish changes", ActivityKind.Producer, context);
                    activity?.SetTag("reactiverest.change_keys", string.Join(' ', keys));
                    await feed.PublishAsync(keys);
                    break;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Publishing change keys {Keys} failed (attempt {Attempt}); retrying", keys, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt)), stoppingToken);
                }
            }
        }
    }
}
