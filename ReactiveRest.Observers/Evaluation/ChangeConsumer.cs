using ReactiveRest.Engine.Reactive;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Evaluation;

/// <summary>
/// Reads change events from the <c>rr:changes</c> stream as one consumer of the observers' group (each event reaches
/// one replica), finds the observers that depend on its keys, counts the change on each and schedules their
/// evaluation. Woken by pub/sub; a one-second safety net covers a lost wake-up.
/// </summary>
public sealed class ChangeConsumer(
    IConnectionMultiplexer redis,
    ObserverStore store,
    EvaluationScheduler scheduler,
    ILogger<ChangeConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>This process's name in the consumer group.</summary>
    public static readonly string ConsumerName = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.ChangesWake), (_, _) => WakeOnce());
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var entries = await redis.GetDatabase().StreamReadGroupAsync(
                    RedisKeys.Changes, RedisKeys.ChangesGroup, ConsumerName, StreamPosition.NewMessages, count: 100);
                if (entries.Length == 0)
                {
                    await _wake.WaitAsync(SafetyNet, stoppingToken);
                    continue;
                }

                await HandleAsync(entries);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                await EnsureGroupAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Reading changes failed; retrying");
                await Task.Delay(SafetyNet, stoppingToken);
            }
        }
    }

    /// <summary>Handles entries and acknowledges them; also used for entries claimed from a dead consumer.</summary>
    public async Task HandleAsync(IReadOnlyList<StreamEntry> entries)
    {
        foreach (var entry in entries)
        {
            var cause = ChangeFeed.ExtractContext(entry);
            IReadOnlyList<string> observers = entry["observer"] is { IsNull: false } observer
                ? [observer.ToString()]
                : await store.FindDependentObserversAsync(entry[ChangeFeed.KeysField].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
            // Counted all at once (pipelined), then scheduled: one round trip, not one per observer.
            var counts = await Task.WhenAll(observers.Select(store.MarkChangedAsync));
            for (var i = 0; i < observers.Count; i++)
            {
                if (counts[i] >= 0)
                {
                    scheduler.Trigger(observers[i], cause);
                }
            }
        }

        await redis.GetDatabase().StreamAcknowledgeAsync(RedisKeys.Changes, RedisKeys.ChangesGroup, [.. entries.Select(entry => entry.Id)]);
    }

    /// <summary>One pending wake-up is enough: the next read takes everything there is.</summary>
    private void WakeOnce()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(RedisKeys.Changes, RedisKeys.ChangesGroup, "0-0", createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica created it first.
        }
    }
}
