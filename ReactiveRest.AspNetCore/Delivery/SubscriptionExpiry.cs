using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Subscribers;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Tells clients to observe again (<c>expired</c>) when a subscription cannot be continued exactly: never is one
/// continued from a guess.
/// </summary>
internal sealed class SubscriptionExpiry(FeedCache feeds, SubscriptionService subscriptions, ReactiveMetrics metrics, ILogger<SubscriptionExpiry> logger)
{
    /// <summary>
    /// Tells the client to observe again. When the subscription still exists it is ended first, so that the GET the
    /// client sends on hearing it starts a clean one that nothing ends behind its back.
    /// </summary>
    /// <param name="cursor">The cursor being expired; a newer cursor of the same observer (the client observed again) is left alone.</param>
    public void Expire(SubscriberSession session, string observerId, string reason, bool unsubscribe, Cursor? cursor = null)
    {
        if (cursor is not null && session.CursorFor(observerId) != cursor)
        {
            return;
        }

        if (session.RemoveCursor(observerId) is { } removed)
        {
            feeds.Release(removed);
        }

        metrics.Expired(reason);
        if (!unsubscribe)
        {
            session.Reply(ProtocolMessage.Expired(observerId, reason));
            return;
        }

        _ = UnsubscribeThenTellAsync(session, observerId, reason);
    }

    /// <summary>The observer is gone or was recreated: every local subscriber of it is told to observe again.</summary>
    public void ExpireFeed(ObserverFeed feed, string reason)
    {
        foreach (var cursor in feed.Followers())
        {
            Expire(cursor.Session, cursor.ObserverId, reason, unsubscribe: reason != "observer_gone", cursor);
        }

        feeds.Remove(feed);
    }

    private async Task UnsubscribeThenTellAsync(SubscriberSession session, string observerId, string reason)
    {
        await UnsubscribeQuietlyAsync(observerId, session.SubscriberId);
        session.Reply(ProtocolMessage.Expired(observerId, reason));
    }

    private async Task UnsubscribeQuietlyAsync(string observerId, string subscriberId)
    {
        try
        {
            await subscriptions.UnsubscribeAsync(observerId, subscriberId);
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not end the expired subscription of {Subscriber} to {Observer}; its grace period will", subscriberId, observerId);
        }
    }
}
