

namespace ReactiveRest.Engine.Delivery;

/// <summary>What this replica delivers, read for gauges and diagnostics only: the hot path keeps no count for it.</summary>
internal sealed class DeliveryStatus(SessionRegistry sessions, FeedCache feeds)
{
    public int SessionCount => sessions.Count;

    public int FeedCount => feeds.Count;

    /// <summary>The most messages one subscription of this replica has waiting to be sent.</summary>
    public long LargestBacklog
    {
        get
        {
            var snapshot = feeds.Snapshot();
            return snapshot.Length == 0 ? 0 : snapshot.Max(feed => feed.LargestBacklog);
        }
    }

    /// <summary>How many of this replica's sessions are the user's.</summary>
    public int SessionCountOf(string user) => sessions.All.Count(session => session.User == user);

    /// <summary>
    /// The live feeds the user's subscribers follow on this replica, with those subscribers (no one else's: an
    /// observer runs as one user, and only its subscribers follow it).
    /// </summary>
    public IReadOnlyList<(string Observer, long Head, IReadOnlyList<string> Subscribers)> DescribeFor(string user) =>
        // Each feed's own lock is taken outside the map's, so this never nests the two.
        [.. feeds.Snapshot()
            .Select(feed => (feed.ObserverId, feed.Head, Subscribers: (IReadOnlyList<string>)[.. feed.Followers()
                .Where(cursor => cursor.Session.User == user)
                .Select(cursor => cursor.Session.SubscriberId)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)]))
            .Where(feed => feed.Subscribers.Count > 0)];
}
