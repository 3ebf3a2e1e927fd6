using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Engine.Subscribers;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Delivery;

/// <summary>
/// The WebSockets this replica serves and the feeds they follow. It receives every evaluation's messages once (the feed
/// channel) and subscription events (the control channel); it attaches a connecting subscriber's subscriptions at
/// exactly the position it stood at (or the one the client resumes from), and records that position when it leaves.
/// A subscription that cannot be continued exactly is answered <c>expired</c>, never continued from a guess.
/// </summary>
internal sealed class DeliveryHub(
    IConnectionMultiplexer redis,
    ObserverStore observers,
    SubscriberStore subscribers,
    SubscriptionService subscriptions,
    ReplicaRegistry replicas,
    ControlChannel control,
    IOptions<ReactiveOptions> options,
    ReactiveMetrics metrics,
    ILogger<DeliveryHub> logger) : BackgroundService
{
    /// <summary>Close code (RFC 6455 1013) when Redis became unreachable while the connection was being set up.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, SubscriberSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObserverFeed> _feeds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Subscriber, string Connection), TaskCompletionSource> _releases = new();
    private readonly ConcurrentDictionary<(string Observer, long Seq), bool> _snapshotsStored = new();

    private ReactiveOptions Options => options.Value;

    public int SessionCount => _sessions.Count;

    /// <summary>The most messages one subscription of this replica has waiting to be sent.</summary>
    public long LargestBacklog
    {
        get
        {
            ObserverFeed[] feeds;
            lock (_feeds)
            {
                feeds = [.. _feeds.Values];
            }

            return feeds.Length == 0 ? 0 : feeds.Max(feed => feed.LargestBacklog);
        }
    }

    public int FeedCount
    {
        get
        {
            lock (_feeds)
            {
                return _feeds.Count;
            }
        }
    }

    private readonly SemaphoreSlim _controlWake = new(0);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var channel = redis.GetSubscriber();
        // A queue keeps the feed's messages in order.
        (await channel.SubscribeAsync(RedisChannel.Literal(RedisKeys.Feed))).OnMessage(message => OnFeedAsync(message.Message.ToString()));
        await channel.SubscribeAsync(RedisChannel.Literal(RedisKeys.ControlWake), (_, _) =>
        {
            if (_controlWake.CurrentCount == 0)
            {
                _controlWake.Release();
            }
        });
        redis.ConnectionRestored += (_, _) => _ = CatchUpFeedsAsync();
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Reads the subscription events in order, woken at once by pub/sub; a one-second read is the safety net.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await DrainControlAsync(stoppingToken);
                failures = 0;
                if (handled == 0)
                {
                    await _controlWake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (failures++ == 0)
                {
                    logger.LogWarning(exception, "Reading subscription events failed; retrying every second");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Where this replica stands in the control stream; read and advanced under <see cref="_controlGate"/>.</summary>
    private RedisValue? _lastControlId;

    private readonly SemaphoreSlim _controlGate = new(1, 1);

    /// <summary>Handles every control event published so far, in order; one reader at a time.</summary>
    /// <returns>How many events were read.</returns>
    private async Task<int> DrainControlAsync(CancellationToken cancellationToken = default)
    {
        await _controlGate.WaitAsync(cancellationToken);
        try
        {
            var handled = 0;
            while (true)
            {
                _lastControlId ??= await control.LastIdAsync();
                var events = await control.ReadAsync(_lastControlId.Value, 100);
                foreach (var (id, message) in events)
                {
                    _lastControlId = id;
                    handled++;
                    if (message is not null)
                    {
                        await OnControlAsync(message);
                    }
                }

                if (events.Count < 100)
                {
                    return handled;
                }
            }
        }
        finally
        {
            _controlGate.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Going away: each client reconnects to another replica and continues from where this one recorded it stood.
        foreach (var session in _sessions.Values)
        {
            session.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "This server is shutting down; reconnect.");
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!_sessions.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Serves one WebSocket until it closes.</summary>
    /// <param name="user">The authenticated user, who owns the subscriber id (checked before the upgrade).</param>
    public async Task ServeAsync(string subscriberId, string user, WebSocket socket, IReadOnlyDictionary<string, long> resume, CancellationToken aborted)
    {
        var session = new SubscriberSession(subscriberId, socket, Options, (failed, exception) =>
            logger.LogInformation("Subscriber {Subscriber} stopped reading or went away ({Error}); closing its connection", failed.SubscriberId, exception.GetType().Name),
            metrics) { User = user };
        if (_sessions.TryGetValue(subscriberId, out var local))
        {
            await SupersedeAsync(local);
        }

        _sessions[subscriberId] = session;
        metrics.SocketOpened();
        var receiving = Task.CompletedTask;
        try
        {
            var (previousReplica, previousConnection) = await subscribers.ClaimAsync(subscriberId, replicas.ReplicaId, session.ConnectionId);
            if (previousConnection.Length > 0 && previousReplica.Length > 0 && previousReplica != replicas.ReplicaId && await replicas.IsAliveAsync(previousReplica))
            {
                await TakeOverAsync(subscriberId, session.ConnectionId, previousConnection);
            }

            // Heartbeats are answered while the subscriptions are being attached.
            receiving = session.ReceiveAsync(aborted);
            await AttachAllAsync(session, resume);
            await receiving;
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Redis is unreachable; closing the connection of subscriber {Subscriber}", subscriberId);
            session.RequestClose(TryAgainLater, "The subscription store is unreachable; reconnect shortly.");
            await receiving;
        }
        finally
        {
            metrics.SocketClosed();
            await EndAsync(session);
        }
    }

    /// <summary>
    /// Another connection takes the subscriber over: this one sends its close frame (4000) after what it is sending,
    /// and records where it stood at once, without waiting for the old client to complete the close handshake.
    /// </summary>
    private async Task SupersedeAsync(SubscriberSession session)
    {
        session.RequestClose(SubscriberSession.Superseded, "Another connection took over this subscriber.");
        try
        {
            await session.CloseSent.WaitAsync(TakeoverWait);
        }
        catch (TimeoutException)
        {
            // Stuck sending to a client that does not read: what it was sent up to is still what it recorded.
        }

        await EndAsync(session);
    }

    /// <summary>The previous connection is on another replica: it records where it stood, then lets go.</summary>
    private async Task TakeOverAsync(string subscriberId, string connectionId, string previousConnection)
    {
        var released = _releases.GetOrAdd((subscriberId, previousConnection), _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await control.PublishAsync(new ControlMessage(ControlKind.Takeover, subscriberId, connectionId));
            await released.Task.WaitAsync(TakeoverWait);
        }
        catch (TimeoutException)
        {
            // It did not answer: its positions stay unknown, and the client is told for what it does not resume.
        }
        finally
        {
            _releases.TryRemove((subscriberId, previousConnection), out _);
        }
    }

    private async Task AttachAllAsync(SubscriberSession session, IReadOnlyDictionary<string, long> resume)
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
            Expire(session, observerId, "subscription_ended", unsubscribe: false);
        }

        await Parallel.ForEachAsync(subscribed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (observerId, _) =>
            await AttachAsync(session, observerId, resume.TryGetValue(observerId, out var seq) ? seq : null, expectedRecord: null));
    }

    /// <param name="resumeFrom">The position the client says it holds, or null to use the one recorded.</param>
    /// <param name="expectedRecord">Attach only if the subscription's record is still this (a subscription just made).</param>
    private async Task AttachAsync(SubscriberSession session, string observerId, long? resumeFrom, string? expectedRecord)
    {
        await session.Gate.WaitAsync();
        try
        {
            if (!session.Ending)
            {
                await AttachLockedAsync(session, observerId, resumeFrom, expectedRecord);
            }
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task AttachLockedAsync(SubscriberSession session, string observerId, long? resumeFrom, string? expectedRecord)
    {
        var attached = await observers.AttachAsync(observerId, session.SubscriberId, session.LiveMarker, expectedRecord);
        if (attached.Status == AttachStatus.None)
        {
            // Ended, or being made right now (its event will attach it): the subscriber's entry is left to expiry.
            if (resumeFrom is not null && expectedRecord is null)
            {
                Expire(session, observerId, "subscription_ended", unsubscribe: false);
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
            Expire(session, observerId, start == ResumeRequest.InsideResync ? "resync_interrupted" : "unknown_position", unsubscribe: true);
            return;
        }

        var feed = await FeedAsync(observerId, attached.Incarnation);
        if (feed is null)
        {
            Expire(session, observerId, "observer_gone", unsubscribe: true);
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
        Expire(session, observerId, "backlog_lost", unsubscribe: true);
    }

    /// <summary>
    /// Tells the client to observe again. When the subscription still exists it is ended first, so that the GET the
    /// client sends on hearing it starts a clean one that nothing ends behind its back.
    /// </summary>
    /// <param name="cursor">The cursor being expired; a newer cursor of the same observer (the client observed again) is left alone.</param>
    private void Expire(SubscriberSession session, string observerId, string reason, bool unsubscribe, Cursor? cursor = null)
    {
        if (cursor is not null && session.CursorFor(observerId) != cursor)
        {
            return;
        }

        if (session.RemoveCursor(observerId) is { } removed)
        {
            ReleaseCursor(removed);
        }

        metrics.Expired(reason);
        if (!unsubscribe)
        {
            session.Reply(ProtocolMessage.Expired(observerId, reason));
            return;
        }

        _ = UnsubscribeThenTellAsync(session, observerId, reason);
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

    /// <summary>The feed of an observer at the given incarnation, loaded from Redis on first use; null when the observer is gone.</summary>
    private async Task<ObserverFeed?> FeedAsync(string observerId, string incarnation)
    {
        ObserverFeed feed;
        var load = false;
        lock (_feeds)
        {
            if (!_feeds.TryGetValue(observerId, out feed!) || (feed.Loaded.IsCompletedSuccessfully && feed.Incarnation != incarnation))
            {
                if (feed is not null)
                {
                    EndFeed(feed, "observer_recreated");
                }

                _feeds[observerId] = feed = new ObserverFeed(observerId, Options.MaxLogMessages, metrics);
                load = true;
            }
        }

        if (load)
        {
            try
            {
                if (await observers.ReadHeadAsync(observerId) is { } head)
                {
                    feed.Load(head);
                }
                else
                {
                    feed.Fail(new InvalidOperationException($"Observer {observerId} does not exist."));
                }
            }
            catch (Exception exception)
            {
                feed.Fail(exception);
                lock (_feeds)
                {
                    _feeds.Remove(observerId, out _);
                }

                throw;
            }
        }

        try
        {
            await feed.Loaded;
        }
        catch (InvalidOperationException)
        {
            lock (_feeds)
            {
                if (_feeds.TryGetValue(observerId, out var current) && current == feed)
                {
                    _feeds.Remove(observerId);
                }
            }

            return null;
        }

        return feed.Incarnation == incarnation ? feed : null;
    }

    private async Task OnFeedAsync(string payload)
    {
        if (FeedHeader.Parse(payload) is not var (header, messages))
        {
            return;
        }

        ObserverFeed? feed;
        lock (_feeds)
        {
            feed = _feeds.GetValueOrDefault(header.ObserverId);
        }

        if (feed is null)
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
                    EndFeed(feed, "backlog_lost");
                    return;
                }

                feed.Append(header with { FirstSeq = outcome.GapAfter + 1 }, [.. missed]);
                outcome = feed.Append(header, messages);
            }

            if (outcome.Status is AppendStatus.Recreated or AppendStatus.Diverged)
            {
                EndFeed(feed, outcome.Status == AppendStatus.Recreated ? "observer_recreated" : "log_lost");
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

    private async Task OnControlAsync(ControlMessage message)
    {
        try
        {
            switch (message.Kind)
            {
                case ControlKind.Subscribed when _sessions.TryGetValue(message.SubscriberId, out var session):
                    await AttachAsync(session, message.Argument, message.Seq, message.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ControlKind.Unsubscribed when _sessions.TryGetValue(message.SubscriberId, out var session):
                    if (session.RemoveCursor(message.Argument) is { } cursor)
                    {
                        ReleaseCursor(cursor);
                    }

                    break;
                case ControlKind.Takeover when _sessions.TryGetValue(message.SubscriberId, out var session) && session.ConnectionId != message.Argument:
                    _ = SupersedeAsync(session);
                    break;
                case ControlKind.Released:
                    if (_releases.TryGetValue((message.SubscriberId, message.Argument), out var released))
                    {
                        released.TrySetResult();
                    }

                    break;
            }
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Handling {Control} failed", message);
        }
    }

    /// <summary>
    /// The session ended: record, per subscription, the position it was sent up to (with the result there, so a backlog
    /// the log trims later can still be collapsed), then let the subscriber's grace period run.
    /// </summary>
    private async Task EndAsync(SubscriberSession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, SubscriberSession>(session.SubscriberId, session));
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
                ReleaseCursor(cursor);
                var position = cursor.Sent;
                string? snapshot = null;
                if (position >= 0 && _snapshotsStored.TryAdd((cursor.ObserverId, position), true) && cursor.Feed.ResultAt(position) is { } result)
                {
                    snapshot = ObservedItem.ToJsonArray(result);
                }

                await observers.DetachAsync(cursor.ObserverId, session.SubscriberId, session.LiveMarker,
                    position >= 0 ? position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown", snapshot);
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

    private void ReleaseCursor(Cursor cursor)
    {
        lock (_feeds)
        {
            if (cursor.Feed.Unfollow(cursor) == 0 && _feeds.TryGetValue(cursor.ObserverId, out var feed) && feed == cursor.Feed)
            {
                _feeds.Remove(cursor.ObserverId);
            }
        }
    }

    /// <summary>The observer is gone or was recreated: every local subscriber of it is told to observe again.</summary>
    private void EndFeed(ObserverFeed feed, string reason)
    {
        foreach (var cursor in feed.Followers())
        {
            Expire(cursor.Session, cursor.ObserverId, reason, unsubscribe: reason != "observer_gone", cursor);
        }

        lock (_feeds)
        {
            if (_feeds.TryGetValue(feed.ObserverId, out var current) && current == feed)
            {
                _feeds.Remove(feed.ObserverId);
            }
        }
    }

    /// <summary>
    /// After a reconnection to Redis, or periodically: publications this replica missed are read from the logs, and
    /// feeds whose observer vanished (Redis lost its data) or was recreated end with <c>expired</c>.
    /// </summary>
    public async Task CatchUpFeedsAsync()
    {
        ObserverFeed[] feeds;
        lock (_feeds)
        {
            feeds = [.. _feeds.Values.Where(feed => feed.Loaded.IsCompletedSuccessfully)];
        }

        if (feeds.Length == 0)
        {
            return;
        }

        try
        {
            // The feeds' heads first: Redis's seq, read after, can only be at or beyond them unless Redis lost writes.
            var heads = feeds.Select(feed => feed.Head).ToArray();
            var incarnations = await observers.IncarnationsAsync([.. feeds.Select(feed => feed.ObserverId)]);
            if (incarnations.Where((incarnation, i) => incarnation != feeds[i].Incarnation).Any())
            {
                // An unsubscription's event is published before the observer can be dropped: handling the events
                // published so far detaches the subscribers that left, so only those still subscribed are told.
                await DrainControlAsync();
            }

            for (var i = 0; i < feeds.Length; i++)
            {
                if (incarnations[i] is null)
                {
                    EndFeed(feeds[i], "observer_gone");
                }
                else if (incarnations[i] != feeds[i].Incarnation)
                {
                    EndFeed(feeds[i], "observer_recreated");
                }
                else if (await observers.ReadHeadAsync(feeds[i].ObserverId) is { } head)
                {
                    if (head.Seq < heads[i])
                    {
                        // Redis came back without its last writes: what subscribers were sent is no longer in the log.
                        EndFeed(feeds[i], "log_lost");
                    }
                    else if (head.Seq > feeds[i].Head)
                    {
                        // Publications missed while disconnected: an empty batch after the log's head makes the feed fetch them.
                        await OnFeedAsync(FeedHeader.Format(feeds[i].ObserverId, head.Incarnation, null, null) + $" {head.Seq + 1}");
                    }
                }
            }
        }
        catch (RedisException exception)
        {
            logger.LogDebug(exception, "Catching up feeds failed; retried on the next check");
        }
    }

    /// <summary>After Redis was away long enough for this replica to be taken for dead, or lost its data: claim the connections again.</summary>
    public async Task ReassertAsync()
    {
        foreach (var session in _sessions.Values)
        {
            if (!await subscribers.ReassertAsync(session.SubscriberId, session.User, replicas.ReplicaId, session.ConnectionId))
            {
                session.RequestClose(SubscriberSession.Superseded, "Another connection took over this subscriber.");
            }
        }

        await CatchUpFeedsAsync();
    }

    /// <summary>Drops the connections of clients that stopped reading (see <see cref="SubscriberSession.AbortIfStuck"/>).</summary>
    public void AbortStuckSessions()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var session in _sessions.Values)
        {
            session.AbortIfStuck(now);
        }
    }

    /// <summary>For diagnostics: the live feeds with the subscribers that follow them on this replica.</summary>
    public IReadOnlyList<(string Observer, long Head, IReadOnlyList<string> Subscribers)> Describe()
    {
        List<ObserverFeed> feeds;
        lock (_feeds)
        {
            feeds = [.. _feeds.Values];
        }

        // Each feed's own lock is taken outside the map's, so this never nests the two.
        return [.. feeds.Select(feed => (feed.ObserverId, feed.Head,
            (IReadOnlyList<string>)[.. feed.Followers().Select(cursor => cursor.Session.SubscriberId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]))];
    }

    internal static string Json(object value) => JsonSerializer.Serialize(value);
}
