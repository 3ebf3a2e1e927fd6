using ReactiveRest.Engine.Reactive;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Evaluation;

/// <summary>
/// The periodic work that keeps the shared state bounded and self-healing: ends the subscriptions of subscribers
/// gone for longer than the grace period (dropping observers left without subscribers), re-schedules observers with
/// uncounted changes (after a crash or an outage), and takes over change events a dead replica left unacknowledged.
/// </summary>
public sealed class ObserverMaintenance(
    IConnectionMultiplexer redis,
    ObserverStore store,
    EvaluationScheduler scheduler,
    ChangeConsumer consumer,
    ILogger<ObserverMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var expired = await store.ExpireSubscribersAsync();
                if (expired > 0)
                {
                    logger.LogInformation("Ended the subscriptions of {Count} subscribers gone past the grace period", expired);
                }

                foreach (var observerId in await store.ObserversBehindAsync())
                {
                    scheduler.Trigger(observerId);
                }

                var claimed = await redis.GetDatabase().StreamAutoClaimAsync(
                    RedisKeys.Changes, RedisKeys.ChangesGroup, ChangeConsumer.ConsumerName, (long)AbandonedAfter.TotalMilliseconds, "0-0", 100);
                if (claimed.ClaimedEntries.Length > 0)
                {
                    await consumer.HandleAsync(claimed.ClaimedEntries);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Observer maintenance failed; retrying in {Period}", Period);
            }
        }
    }
}
