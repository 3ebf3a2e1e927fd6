using System.Text;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Quotas;

/// <summary>
/// What each user holds, counted in Redis so that every replica enforces one count: live observers, subscriber ids,
/// open WebSockets and the bytes their observers store. A place is taken in one step on the user's own slot; it is
/// given back where the thing ends (an observer dropped, a subscriber ended, a socket closed). What a crash or an
/// outage left counted is found by a recount, run when a user reaches a quota (at most once per
/// <see cref="RecountInterval"/>), which keeps only what still exists.
/// </summary>
public sealed class UserQuotas(IConnectionMultiplexer redis, IOptions<ReactiveOptions> options, ReactiveMetrics metrics)
{
    /// <summary>How often a user at a quota may have it recounted: the recount reads every member.</summary>
    public static readonly TimeSpan RecountInterval = TimeSpan.FromSeconds(10);

    private IDatabase Database => redis.GetDatabase();

    private ReactiveOptions Options => options.Value;

    /// <summary>The observer counts as one of the user's live observers (again, if it already was).</summary>
    /// <returns>Null when allowed; otherwise what the user is at.</returns>
    public Task<QuotaRefusal?> TakeObserverAsync(string user, string observerId) =>
        TakeAsync(Quota.Observers, RedisKeys.User(user).Observers, observerId, Options.MaxObserversPerUser, user);

    /// <summary>The subscriber id counts as one the user holds.</summary>
    public Task<QuotaRefusal?> TakeSubscriberAsync(string user, string subscriberId) =>
        TakeAsync(Quota.Subscribers, RedisKeys.User(user).Subscribers, subscriberId, Options.MaxSubscribersPerUser, user);

    /// <summary>A WebSocket the user opens on a replica.</summary>
    public Task<QuotaRefusal?> TakeSocketAsync(string user, string replicaId, string connectionId) =>
        TakeAsync(Quota.Sockets, RedisKeys.User(user).Sockets, SocketMember(replicaId, connectionId), Options.MaxSocketsPerUser, user);

    public Task ReleaseSocketAsync(string user, string replicaId, string connectionId) =>
        Database.SetRemoveAsync(RedisKeys.User(user).Sockets, SocketMember(replicaId, connectionId));

    /// <summary>Records what an observer's result costs in Redis (it is stored twice: current result and snapshot).</summary>
    /// <param name="refuse">Whether a growth past the quota is refused (a new subscription) or only recorded (an evaluation, which must commit).</param>
    public async Task<QuotaRefusal?> StoreAsync(string user, string observerId, string resultJson, bool refuse)
    {
        var bytes = 2L * Encoding.UTF8.GetByteCount(resultJson);
        var limit = refuse ? Options.MaxStoredBytesPerUser : long.MaxValue;
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.QuotaTakeBytes, [RedisKeys.User(user).StoredBytes], [observerId, bytes, limit]))!;
        if ((long)reply[0] == 1)
        {
            return null;
        }

        var refusal = new QuotaRefusal(Quota.StoredBytes, Options.MaxStoredBytesPerUser, (long)reply[1]);
        metrics.QuotaRefused(refusal.Name);
        return refusal;
    }

    /// <summary>The observer was dropped: it no longer counts, nor what it stored.</summary>
    public async Task ForgetObserverAsync(string user, string observerId)
    {
        var keys = RedisKeys.User(user);
        await Task.WhenAll(
            Database.SetRemoveAsync(keys.Observers, observerId),
            Database.ScriptEvaluateAsync(RedisScripts.QuotaForgetBytes, [keys.StoredBytes], [observerId]));
    }

    /// <summary>The subscriber's subscriptions ended (or its unused claim was given back).</summary>
    public Task ForgetSubscriberAsync(string user, string subscriberId) =>
        Database.SetRemoveAsync(RedisKeys.User(user).Subscribers, subscriberId);

    private async Task<QuotaRefusal?> TakeAsync(Quota quota, string key, string member, long limit, string user)
    {
        var reply = await TakeOnceAsync(key, member, limit);
        if (reply is null)
        {
            return null;
        }

        // At the quota: what a crash or an outage left counted may be why; recount (not too often) and try again.
        if (await Database.StringSetAsync(RedisKeys.User(user).Recounted(quota.ToString()), 1, RecountInterval, When.NotExists))
        {
            await RecountAsync(quota, key, user);
            reply = await TakeOnceAsync(key, member, limit);
            if (reply is null)
            {
                return null;
            }
        }

        var refusal = new QuotaRefusal(quota, limit, reply.Value);
        metrics.QuotaRefused(refusal.Name);
        return refusal;
    }

    /// <returns>Null when the member holds a place, otherwise the count the user is at.</returns>
    private async Task<long?> TakeOnceAsync(string key, string member, long limit)
    {
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.QuotaTake, [key], [member, limit]))!;
        return (long)reply[0] == 1 ? null : (long)reply[1];
    }

    /// <summary>Removes the members whose thing no longer exists.</summary>
    private async Task RecountAsync(Quota quota, string key, string user)
    {
        var members = (await Database.SetMembersAsync(key)).Select(value => value.ToString()).ToArray();
        var alive = await Task.WhenAll(members.Select(member => quota switch
        {
            Quota.Observers => Database.KeyExistsAsync(RedisKeys.Observer(member).State),
            Quota.Subscribers => SubscriberHeldAsync(member, user),
            _ => Database.KeyExistsAsync(RedisKeys.Replica(member[..member.IndexOf(' ')])),
        }));
        var gone = members.Where((_, i) => !alive[i]).Select(member => (RedisValue)member).ToArray();
        if (gone.Length > 0)
        {
            await Database.SetRemoveAsync(key, gone);
        }
    }

    /// <summary>
    /// Held: the id is still the user's and not only a tombstone (it has subscriptions, a connection, or a claim not
    /// yet used, which lasts less than a tombstone).
    /// </summary>
    private async Task<bool> SubscriberHeldAsync(string subscriberId, string user)
    {
        var keys = RedisKeys.Subscriber(subscriberId);
        var owner = Database.StringGetWithExpiryAsync(keys.Owner);
        var observers = Database.SetLengthAsync(keys.Observers);
        var connection = Database.HashGetAsync(keys.State, "connection");
        await Task.WhenAll(owner, observers, connection);
        var claim = await owner;
        if (claim.Value.IsNull || claim.Value.ToString() != user)
        {
            return false;
        }

        var unusedClaim = Options.GracePeriod + Options.EvaluationTimeout + TimeSpan.FromSeconds(1);
        return await observers > 0 || (await connection is { IsNullOrEmpty: false }) || claim.Expiry is null || claim.Expiry <= unusedClaim;
    }

    private static string SocketMember(string replicaId, string connectionId) => replicaId + " " + connectionId;
}
