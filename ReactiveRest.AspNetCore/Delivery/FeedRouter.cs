using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Receives every evaluation's messages once (the feed channel), appends them to the observer's feed, and marks the
/// feed's followers as having frames to send. A publication this replica missed is read from the log; a feed that can
/// no longer be continued exactly ends with <c>expired</c>.
/// </summary>
internal sealed class FeedRouter(
    IConnectionMultiplexer redis,
    ObserverStore observers,
    FeedCache feeds,
    SubscriptionExpiry expiry,
    ILogger<FeedRouter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A queue keeps the feed's messages in order.
        (await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.Feed))).OnMessage(message => RouteAsync(message.Message.ToString()));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Routes one publication of the feed channel (a header and an evaluation's messages) to its feed.</summary>
    public async Task RouteAsync(string payload)
    {
        if (FeedHeader.Parse(payload) is not var (header, messages))
        {
            return;
        }

        if (feeds.Find(header.ObserverId) is not { } feed)
        {
            return;
        }

        try
        {
            var outcome = feed.Append(header, messages);
            if (outcome.Status == AppendStatus.Gap)
            {
                // A publication this replica missed (a reconnect to Redis): the log has it.
                var missed = await observers.ReadLogAsync(header.ObserverId, outcome.GapAfter, outcome.GapUpTo);
                if (missed is null)
                {
                    expiry.ExpireFeed(feed, "backlog_lost");
                    return;
                }

                feed.Append(header with { FirstSeq = outcome.GapAfter + 1 }, [.. missed]);
                outcome = feed.Append(header, messages);
            }

            if (outcome.Status is AppendStatus.Recreated or AppendStatus.Diverged)
            {
                expiry.ExpireFeed(feed, outcome.Status == AppendStatus.Recreated ? "observer_recreated" : "log_lost");
                return;
            }

            foreach (var cursor in outcome.Followers)
            {
                cursor.Session.MarkDirty(cursor);
            }
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not deliver the messages of observer {Observer}; they are caught up on the next check", header.ObserverId);
        }
    }
}
