using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// After a reconnection to Redis, or periodically: publications this replica missed are read from the logs, and
/// feeds whose observer vanished (Redis lost its data) or was recreated end with <c>expired</c>.
/// </summary>
internal sealed class FeedCatchUp(
    IConnectionMultiplexer redis,
    ObserverStore observers,
    FeedCache feeds,
    FeedRouter router,
    ControlEventLoop control,
    SubscriptionExpiry expiry,
    ILogger<FeedCatchUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += (_, _) => _ = CatchUpAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task CatchUpAsync()
    {
        var loaded = feeds.Snapshot().Where(feed => feed.Loaded.IsCompletedSuccessfully).ToArray();
        if (loaded.Length == 0)
        {
            return;
        }

        try
        {
            // The feeds' heads first: Redis's seq, read after, can only be at or beyond them unless Redis lost writes.
            var heads = loaded.Select(feed => feed.Head).ToArray();
            var incarnations = await observers.IncarnationsAsync([.. loaded.Select(feed => feed.ObserverId)]);
            if (incarnations.Where((incarnation, i) => incarnation != loaded[i].Incarnation).Any())
            {
                // An unsubscription's event is published before the observer can be dropped: handling the events
                // published so far detaches the subscribers that left, so only those still subscribed are told.
                await control.DrainAsync();
            }

            for (var i = 0; i < loaded.Length; i++)
            {
                if (incarnations[i] is null)
                {
                    expiry.ExpireFeed(loaded[i], "observer_gone");
                }
                else if (incarnations[i] != loaded[i].Incarnation)
                {
                    expiry.ExpireFeed(loaded[i], "observer_recreated");
                }
                else if (await observers.ReadHeadAsync(loaded[i].ObserverId) is { } head)
                {
                    if (head.Seq < heads[i])
                    {
                        // Redis came back without its last writes: what subscribers were sent is no longer in the log.
                        expiry.ExpireFeed(loaded[i], "log_lost");
                    }
                    else if (head.Seq > loaded[i].Head)
                    {
                        // Publications missed while disconnected: an empty batch after the log's head makes the feed fetch them.
                        await router.RouteAsync(FeedHeader.Format(loaded[i].ObserverId, head.Incarnation, null, null) + $" {head.Seq + 1}");
                    }
                }
            }
        }
        catch (RedisException exception)
        {
            logger.LogDebug(exception, "Catching up feeds failed; retried on the next check");
        }
    }
}
