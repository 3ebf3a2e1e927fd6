using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Decides where a session's subscription continues: at exactly the position it stood at (or the one the client
/// resumes from), from the feed, the Redis log or a stored snapshot; when none of them reaches that position, the
/// subscription is expired.
/// </summary>
internal sealed class SubscriptionResumer(ObserverStore observers, SubscriberStore subscribers, FeedCache feeds, SubscriptionExpiry expiry)
{
    /// <summary>Made once: a reconnecting crowd attaches many subscriptions.</summary>
    private readonly Action<ObserverFeed> _expireRecreated = replaced => expiry.ExpireFeed(replaced, "observer_recreated");

    /// <summary>Attaches every subscription of a session that just connected.</summary>
    /// <param name="resume">The positions the client says it holds, by observer.</param>
    public async Task ResumeAllAsync(SubscriberSession session, IReadOnlyDictionary<string, long> resume)
    {
        var subscribed = await subscribers.ObserversAsync(session.SubscriberId);
        var ended = resume.Keys.Except(subscribed).ToList();
        if (resume.Count == 0)
        {
            // A client that says nothing is still told about the subscriptions its grace period ended.
            ended.AddRange((await subscribers.EndedObserversAsync(session.SubscriberId)).Except(subscribed));
        }

        foreach (var observerId in ended.Distinct())
        {
            expiry.Expire(session, observerId, "subscription_ended", unsubscribe: false);
        }

        await Parallel.ForEachAsync(subscribed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (observerId, _) =>
            await ResumeAsync(session, observerId, resume.TryGetValue(observerId, out var seq) ? seq : null, expectedRecord: null));
    }

    /// <param name="resumeFrom">The position the client says it holds, or null to use the one recorded.</param>
    /// <param name="expectedRecord">Attach only if the subscription's record is still this (a subscription just made).</param>
    public async Task ResumeAsync(SubscriberSession session, string observerId, long? resumeFrom, string? expectedRecord)
    {
        await session.Gate.WaitAsync();
        try
        {
            if (!session.Ending)
            {
                await ResumeLockedAsync(session, observerId, resumeFrom, expectedRecord);
            }
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task ResumeLockedAsync(SubscriberSession session, string observerId, long? resumeFrom, string? expectedRecord)
    {
        var attached = await observers.AttachAsync(observerId, session.SubscriberId, session.LiveMarker, expectedRecord);
        if (attached.Status == AttachStatus.None)
        {
            // Ended, or being made right now (its event will attach it): the subscriber's entry is left to expiry.
            if (resumeFrom is not null && expectedRecord is null)
            {
                expiry.Expire(session, observerId, "subscription_ended", unsubscribe: false);
            }

            return;
        }

        if (attached.Status == AttachStatus.Moved || attached.PreviousRecord == session.LiveMarker)
        {
            // Another connection owns it, or this one attached it already.
            return;
        }

        var start = resumeFrom ?? (long.TryParse(attached.PreviousRecord, out var recorded) ? recorded : null);
        if (start is not { } position || position < 0 || position > attached.Seq)
        {
            expiry.Expire(session, observerId, start == ResumeRequest.InsideResync ? "resync_interrupted" : "unknown_position", unsubscribe: true);
            return;
        }

        var feed = await feeds.GetAsync(observerId, attached.Incarnation, _expireRecreated);
        if (feed is null)
        {
            expiry.Expire(session, observerId, "observer_gone", unsubscribe: true);
            return;
        }

        var cursor = new Cursor(session, feed, position);
        if (session.SetCursor(cursor) is { } replaced)
        {
            replaced.Feed.Unfollow(replaced);
        }

        if (feed.TryFollow(cursor, position)
            || (await observers.ReadLogAsync(observerId, position, feed.WindowStart) is { } log && feed.TryFollowAfter(cursor, position, log)))
        {
            session.MarkDirty(cursor);
            return;
        }

        if (await observers.ReadSnapshotAsync(observerId, position) is { } snapshot)
        {
            feed.FollowWithResync(cursor, ObservedItem.ParseArray(snapshot));
            session.MarkDirty(cursor);
            return;
        }

        session.RemoveCursor(observerId);
        expiry.Expire(session, observerId, "backlog_lost", unsubscribe: true);
    }
}
