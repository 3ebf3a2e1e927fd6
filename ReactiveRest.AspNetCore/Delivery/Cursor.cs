

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Where one subscriber stands in one observer's feed. <see cref="Taken"/> (guarded by the feed's lock) is the seq of the
/// last message handed to the session for sending, so a message is taken once and in order; <see cref="Sent"/> is the
/// last one the socket accepted, which is what a disconnection records.
/// </summary>
internal sealed class Cursor(SubscriberSession session, ObserverFeed feed, long start)
{
    public SubscriberSession Session { get; } = session;

    public ObserverFeed Feed { get; } = feed;

    public string ObserverId => Feed.ObserverId;

    /// <summary>Guarded by the feed's lock.</summary>
    public long Taken { get; set; } = start;

    /// <summary>Frames queued for this cursor before the feed's own messages: a catch-up from the Redis log, or a resync run. Guarded by the feed's lock.</summary>
    public Queue<FeedMessage> Pending { get; } = new();

    /// <summary>The seq of the last message sent (the start position until one is); -1 while inside a resync run.</summary>
    public long Sent { get; set; } = start;

    /// <summary>Set while the cursor waits in its session's queue of cursors with work.</summary>
    public int Dirty;

    /// <summary>No longer delivered (unsubscribed, expired, or its session ended).</summary>
    public bool Closed { get; set; }
}
