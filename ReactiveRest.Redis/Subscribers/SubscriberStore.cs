using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Subscribers;

/// <summary>
/// The subscribers' side of the shared state in Redis: which connection serves each subscriber, which observers it
/// subscribes to, and when the subscriptions of a disconnected one end. A connected subscriber costs nothing
/// periodically: its replica's one liveness key vouches for all the connections it holds.
/// </summary>
public sealed class SubscriberStore(IConnectionMultiplexer redis, IOptions<ReactiveOptions> options, TimeProvider time)
{
    private IDatabase Database => redis.GetDatabase();

    /// <summary>How long a claimed id that no subscription or connection used stays its user's: the grace period, and time for the observe GET's evaluation.</summary>
    private long UnusedClaimSeconds => (long)Math.Ceiling((options.Value.GracePeriod + options.Value.EvaluationTimeout).TotalSeconds);

    private long GraceDeadline => time.GetUtcNow().Add(options.Value.GracePeriod).ToUnixTimeMilliseconds();

    /// <summary>
    /// Binds the subscriber id to <paramref name="user"/> on first use and checks later uses are that user's; with an
    /// observer, also that the subscriber may subscribe to one more.
    /// </summary>
    public async Task<Ownership> OwnAsync(string subscriberId, string user, string? observerId = null)
    {
        var keys = RedisKeys.Subscriber(subscriberId);
        var reply = (long)await Database.ScriptEvaluateAsync(RedisScripts.SubscriberOwn, [keys.Owner, keys.Observers],
            [user, observerId ?? "", options.Value.MaxObserversPerSubscriber, UnusedClaimSeconds]);
        return reply switch
        {
            2 => Ownership.Claimed,
            1 => Ownership.Owned,
            0 => Ownership.Foreign,
            _ => Ownership.AtObserverLimit,
        };
    }

    /// <summary>Gives back a claim <see cref="OwnAsync"/> just made, unless the id was used meanwhile.</summary>
    public Task GiveBackClaimAsync(string subscriberId, string user)
    {
        var keys = RedisKeys.Subscriber(subscriberId);
        return Database.ScriptEvaluateAsync(RedisScripts.SubscriberUnclaim, [keys.Owner, keys.Observers], [user]);
    }

    /// <summary>Whether the subscriber id is <paramref name="user"/>'s (reads only: an unused id is nobody's).</summary>
    public async Task<bool> IsOwnedByAsync(string subscriberId, string user) =>
        await Database.StringGetAsync(RedisKeys.Subscriber(subscriberId).Owner) is { IsNull: false } owner && owner.ToString() == user;

    /// <summary>Records the subscriber's side of a new subscription.</summary>
    /// <returns>The replica serving the subscriber's WebSocket, or null when it is not connected (its grace period then runs).</returns>
    public async Task<string?> ObserveAsync(string subscriberId, string observerId)
    {
        var keys = RedisKeys.Subscriber(subscriberId);
        var replica = await Database.ScriptEvaluateAsync(RedisScripts.SubscriberObserve, [keys.State, keys.Observers, keys.Tombstone, keys.Owner], [observerId]);
        if (replica.IsNull)
        {
            await Database.SortedSetAddAsync(RedisKeys.Disconnected, subscriberId, GraceDeadline, SortedSetWhen.GreaterThan);
            return null;
        }

        return replica.ToString();
    }

    public Task ForgetObserverAsync(string subscriberId, string observerId) =>
        Database.SetRemoveAsync(RedisKeys.Subscriber(subscriberId).Observers, observerId);

    public async Task<IReadOnlyList<string>> ObserversAsync(string subscriberId) =>
        [.. (await Database.SetMembersAsync(RedisKeys.Subscriber(subscriberId).Observers)).Select(value => value.ToString())];

    /// <summary>The observers of a subscriber whose grace period ended, if a connection under its id comes back.</summary>
    public async Task<IReadOnlyList<string>> EndedObserversAsync(string subscriberId)
    {
        var value = await Database.StringGetAsync(RedisKeys.Subscriber(subscriberId).Tombstone);
        return value.IsNull ? [] : value.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A new connection serves the subscriber from now on.</summary>
    /// <returns>The replica and connection that served it before, or empty strings.</returns>
    public async Task<(string Replica, string Connection)> ClaimAsync(string subscriberId, string replicaId, string connectionId)
    {
        var batch = Database.CreateBatch();
        var claim = batch.ScriptEvaluateAsync(RedisScripts.SubscriberClaim, [RedisKeys.Subscriber(subscriberId).State, RedisKeys.Subscriber(subscriberId).Owner], [replicaId, connectionId]);
        var held = batch.SetAddAsync(RedisKeys.ReplicaSubscribers(replicaId), subscriberId);
        var notDue = batch.SortedSetRemoveAsync(RedisKeys.Disconnected, subscriberId);
        batch.Execute();
        await Task.WhenAll(held, notDue);
        var previous = (RedisResult[])(await claim)!;
        return (previous[0].ToString(), previous[1].ToString());
    }

    /// <summary>The connection closed: unless another one took over, the subscriber's grace period starts.</summary>
    public async Task ReleaseAsync(string subscriberId, string replicaId, string connectionId)
    {
        var released = (long)await Database.ScriptEvaluateAsync(RedisScripts.SubscriberRelease, [RedisKeys.Subscriber(subscriberId).State], [connectionId]) == 1;
        await Database.SetRemoveAsync(RedisKeys.ReplicaSubscribers(replicaId), subscriberId);
        if (released)
        {
            await Database.SortedSetAddAsync(RedisKeys.Disconnected, subscriberId, GraceDeadline, SortedSetWhen.GreaterThan);
        }
    }

    /// <summary>After Redis was away or lost data: this replica still serves the subscriber, unless another connection took it.</summary>
    /// <returns>False when another connection serves the subscriber now, or another user owns its id.</returns>
    public async Task<bool> ReassertAsync(string subscriberId, string user, string replicaId, string connectionId)
    {
        var keys = RedisKeys.Subscriber(subscriberId);
        var batch = Database.CreateBatch();
        var kept = batch.ScriptEvaluateAsync(RedisScripts.SubscriberReassert, [keys.State, keys.Owner], [replicaId, connectionId, user]);
        var held = batch.SetAddAsync(RedisKeys.ReplicaSubscribers(replicaId), subscriberId);
        var notDue = batch.SortedSetRemoveAsync(RedisKeys.Disconnected, subscriberId);
        batch.Execute();
        await Task.WhenAll(held, notDue);
        return (long)await kept == 1;
    }

    /// <summary>Subscribers whose grace period has ended, or that may have (their replica's liveness decides).</summary>
    public async Task<IReadOnlyList<string>> DueAsync(int count) =>
        [.. (await Database.SortedSetRangeByScoreAsync(RedisKeys.Disconnected, double.NegativeInfinity, time.GetUtcNow().ToUnixTimeMilliseconds(), take: count))
            .Select(value => value.ToString())];

    /// <summary>The replica that serves the subscriber, or an empty string.</summary>
    public async Task<string> ReplicaOfAsync(string subscriberId) =>
        (await Database.HashGetAsync(RedisKeys.Subscriber(subscriberId).State, "replica")).ToString();

    public Task NotDueAsync(string subscriberId) => Database.SortedSetRemoveAsync(RedisKeys.Disconnected, subscriberId);

    /// <summary>Ends the subscriber's side of its subscriptions, unless it is served by a replica other than <paramref name="deadReplica"/>.</summary>
    /// <returns>The user who owned it ('' when unknown) and the observers it was subscribed to, or null when it is connected.</returns>
    public async Task<(string Owner, IReadOnlyList<string> Observers)?> DropAsync(string subscriberId, string deadReplica)
    {
        var keys = RedisKeys.Subscriber(subscriberId);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.SubscriberDrop,
            [keys.State, keys.Observers, keys.Tombstone, keys.Owner], [deadReplica, (long)options.Value.TombstoneLifetime.TotalSeconds]))!;
        return reply[0].ToString() == "connected" ? null : (reply[1].ToString(), [.. reply.Skip(2).Select(value => value.ToString())]);
    }
}

/// <summary>Whether a user may use a subscriber id.</summary>
public enum Ownership
{
    Owned,

    /// <summary>The user's from this use on: nobody held the id (a new subscriber id counts against the user's quota).</summary>
    Claimed,

    /// <summary>Another user first used the id.</summary>
    Foreign,

    /// <summary>The user's, but it already subscribes to the most observers allowed.</summary>
    AtObserverLimit,
}
