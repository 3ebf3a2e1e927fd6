using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// The feeds this replica holds, one per observer that a local subscriber follows: loaded from Redis on first use,
/// dropped when its last follower leaves. Each feed's own lock is only ever taken inside this map's, never around it.
/// </summary>
internal sealed class FeedCache(ObserverStore observers, IOptions<ReactiveOptions> options, ReactiveMetrics metrics)
{
    private readonly Dictionary<string, ObserverFeed> _feeds = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_feeds)
            {
                return _feeds.Count;
            }
        }
    }

    /// <summary>The feeds now, to read outside the map's lock.</summary>
    public ObserverFeed[] Snapshot()
    {
        lock (_feeds)
        {
            return [.. _feeds.Values];
        }
    }

    /// <summary>The feed of an observer, or null when no local subscriber follows it.</summary>
    public ObserverFeed? Find(string observerId)
    {
        lock (_feeds)
        {
            return _feeds.GetValueOrDefault(observerId);
        }
    }

    /// <summary>
    /// The feed of an observer at the given incarnation, loaded from Redis on first use; null when the observer is gone.
    /// </summary>
    /// <param name="endReplaced">Ends a loaded feed of an older incarnation, under the map's lock, before its replacement loads.</param>
    public async Task<ObserverFeed?> GetAsync(string observerId, string incarnation, Action<ObserverFeed> endReplaced)
    {
        ObserverFeed feed;
        var load = false;
        lock (_feeds)
        {
            if (!_feeds.TryGetValue(observerId, out feed!) || (feed.Loaded.IsCompletedSuccessfully && feed.Incarnation != incarnation))
            {
                if (feed is not null)
                {
                    endReplaced(feed);
                }

                _feeds[observerId] = feed = new ObserverFeed(observerId, options.Value.MaxLogMessages, metrics);
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
            Remove(feed);
            return null;
        }

        return feed.Incarnation == incarnation ? feed : null;
    }

    /// <summary>The cursor stops following its feed; a feed left without followers is dropped.</summary>
    public void Release(Cursor cursor)
    {
        lock (_feeds)
        {
            if (cursor.Feed.Unfollow(cursor) == 0 && _feeds.TryGetValue(cursor.ObserverId, out var feed) && feed == cursor.Feed)
            {
                _feeds.Remove(cursor.ObserverId);
            }
        }
    }

    /// <summary>Drops the feed unless another one replaced it already.</summary>
    public void Remove(ObserverFeed feed)
    {
        lock (_feeds)
        {
            if (_feeds.TryGetValue(feed.ObserverId, out var current) && current == feed)
            {
                _feeds.Remove(feed.ObserverId);
            }
        }
    }
}
