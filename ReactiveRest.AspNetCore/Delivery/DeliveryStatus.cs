

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

    /// <summary>The live feeds with the subscribers that follow them on this replica.</summary>
    public IReadOnlyList<(string Observer, long Head, IReadOnlyList<string> Subscribers)> Describe() =>
        // Each feed's own lock is taken outside the map's, so this never nests the two.
        [.. feeds.Snapshot().Select(feed => (feed.ObserverId, feed.Head,
            (IReadOnlyList<string>)[.. feed.Followers().Select(cursor => cursor.Session.SubscriberId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]))];
}
