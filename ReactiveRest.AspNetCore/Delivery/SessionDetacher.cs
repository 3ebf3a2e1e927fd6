using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Subscribers;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Ends a session: detaches each of its subscriptions, recording in Redis the position it was sent up to (with the
/// result there, so a backlog the log trims later can still be collapsed), then lets the subscriber's grace period run.
/// </summary>
internal sealed class SessionDetacher(
    SessionRegistry sessions,
    FeedCache feeds,
    ObserverStore observers,
    SubscriberStore subscribers,
    ReplicaRegistry replicas,
    ControlChannel control,
    ILogger<SessionDetacher> logger)
{
    /// <summary>Results already stored at a position: the sessions of one observer that end together store it once.</summary>
    private readonly ConcurrentDictionary<(string Observer, long Seq), bool> _snapshotsStored = new();

    public async Task DetachAsync(SubscriberSession session)
    {
        sessions.Remove(session);
        await session.Gate.WaitAsync();
        var first = !session.Ending;
        session.Ending = true;
        session.Gate.Release();
        if (!first)
        {
            // Ended already (a takeover ends a session before its socket is done): wait for that end.
            await session.Finished;
            return;
        }

        try
        {
            await Parallel.ForEachAsync(session.Cursors(), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (cursor, _) =>
            {
                feeds.Release(cursor);
                var position = cursor.Sent;
                string? snapshot = null;
                if (position >= 0 && _snapshotsStored.TryAdd((cursor.ObserverId, position), true) && cursor.Feed.ResultAt(position) is { } result)
                {
                    snapshot = ObservedItem.ToJsonArray(result);
                }

                await observers.DetachAsync(cursor.ObserverId, session.SubscriberId, session.LiveMarker,
                    position >= 0 ? position.ToString(CultureInfo.InvariantCulture) : "unknown", snapshot);
            });
            await subscribers.ReleaseAsync(session.SubscriberId, replicas.ReplicaId, session.ConnectionId);
            await control.PublishAsync(new ControlMessage(ControlKind.Released, session.SubscriberId, session.ConnectionId));
        }
        catch (RedisException exception)
        {
            // Redis is away: the subscriptions stay marked live on this connection, so the next connection is told
            // that their positions are unknown unless the client resumes them.
            logger.LogWarning(exception, "Could not record where subscriber {Subscriber} stood", session.SubscriberId);
        }

        session.MarkFinished();
        if (_snapshotsStored.Count > 100_000)
        {
            _snapshotsStored.Clear();
        }
    }
}
