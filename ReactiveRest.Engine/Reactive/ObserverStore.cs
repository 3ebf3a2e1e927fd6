using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// The shared state of observers and subscriptions in Redis. Every multi-key change is one Lua script, so the API,
/// any number of observer replicas and the sweeper never see each other's half-done work.
/// </summary>
public sealed class ObserverStore(IConnectionMultiplexer redis, IOptions<ReactiveOptions> options, TimeProvider time)
{
    private IDatabase Database => redis.GetDatabase();

    private const string DropSubscription = """
        local function drop_subscription(oid, sid)
          local subs = 'rr:obs:' .. oid .. ':subs'
          if redis.call('HDEL', subs, sid) == 0 then return 0 end
          redis.call('SREM', 'rr:sub:' .. sid .. ':obs', oid)
          if redis.call('HLEN', subs) == 0 then
            local deps = redis.call('HGET', 'rr:obs:' .. oid, 'deps')
            if deps then
              for _, dep in ipairs(cjson.decode(deps)) do redis.call('SREM', 'rr:dep:' .. dep, oid) end
            end
            redis.call('DEL', 'rr:obs:' .. oid, subs)
            redis.call('SREM', 'rr:observers', oid)
          end
          return 1
        end
        """;

    private const string SubscribeScript = """
        local oid, sid, url, deps, result, deadline, inc = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
        local obs = 'rr:obs:' .. oid
        if redis.call('EXISTS', obs) == 0 then
          redis.call('HSET', obs, 'url', url, 'deps', deps, 'result', result, 'gen', 0, 'done', 0, 'inc', inc, 'evaluations', 0)
          for _, dep in ipairs(cjson.decode(deps)) do redis.call('SADD', 'rr:dep:' .. dep, oid) end
          redis.call('SADD', 'rr:observers', oid)
        end
        redis.call('HSET', obs .. ':subs', sid, result)
        redis.call('SADD', 'rr:sub:' .. sid .. ':obs', oid)
        redis.call('ZADD', 'rr:subscribers', 'GT', deadline, sid)
        redis.call('HINCRBY', obs, 'gen', 1)
        redis.call('XADD', 'rr:changes', 'MAXLEN', '~', 100000, '*', 'observer', oid)
        redis.call('PUBLISH', 'rr:changes:wake', '')
        return 1
        """;

    private const string MarkChangedScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        return redis.call('HINCRBY', KEYS[1], 'gen', 1)
        """;

    private const string CommitScript = """
        local obs, subs = KEYS[1], KEYS[2]
        local result, gen, inc, maxlen, tp = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        if redis.call('HGET', obs, 'inc') ~= inc then return 0 end
        redis.call('HSET', obs, 'result', result, 'done', gen)
        redis.call('HINCRBY', obs, 'evaluations', 1)
        local function deliver(sid, msgs)
          redis.call('HSET', subs, sid, '=')
          local outbox = 'rr:sub:' .. sid .. ':out'
          for _, m in ipairs(msgs) do redis.call('XADD', outbox, 'MAXLEN', '~', maxlen, '*', 'm', m, 'tp', tp) end
          if #msgs > 0 then redis.call('PUBLISH', 'rr:notify:' .. sid, '') end
        end
        local common = cjson.decode(ARGV[6])
        for _, sid in ipairs(cjson.decode(ARGV[7])) do
          if redis.call('HGET', subs, sid) == '=' then deliver(sid, common) end
        end
        for _, d in ipairs(cjson.decode(ARGV[8])) do
          local current = redis.call('HGET', subs, d.sid)
          if current and current ~= '=' and redis.sha1hex(current) == d.base then deliver(d.sid, d.msgs) end
        end
        return 1
        """;

    private const string UnsubscribeScript = DropSubscription + """

        return drop_subscription(ARGV[1], ARGV[2])
        """;

    private const string ExpireScript = DropSubscription + """

        local expired = redis.call('ZRANGEBYSCORE', 'rr:subscribers', '-inf', ARGV[1], 'LIMIT', 0, 100)
        for _, sid in ipairs(expired) do
          for _, oid in ipairs(redis.call('SMEMBERS', 'rr:sub:' .. sid .. ':obs')) do drop_subscription(oid, sid) end
          redis.call('DEL', 'rr:sub:' .. sid .. ':obs', 'rr:sub:' .. sid .. ':out', 'rr:sub:' .. sid .. ':conn')
          redis.call('ZREM', 'rr:subscribers', sid)
        end
        return #expired
        """;

    /// <summary>
    /// Subscribes <paramref name="subscriberId"/> to the observer of a query whose result it has just been given, creating
    /// the observer if needed, and asks for one evaluation: any write that committed after <paramref name="items"/> was
    /// read reaches the subscriber as messages relative to exactly those items.
    /// </summary>
    public async Task SubscribeAsync(string observerId, string subscriberId, ObservedQuery query, IReadOnlyList<string> dependencies, IReadOnlyList<ObservedItem> items)
    {
        var deadline = time.GetUtcNow().Add(options.Value.GracePeriod).ToUnixTimeMilliseconds();
        await Database.ScriptEvaluateAsync(SubscribeScript, values:
        [
            observerId, subscriberId, query.Url, JsonSerializer.Serialize(dependencies), ObservedItem.ToJsonArray(items), deadline,
            Guid.NewGuid().ToString("N"),
        ]);
    }

    /// <returns>False when there was no such subscription.</returns>
    public async Task<bool> UnsubscribeAsync(string observerId, string subscriberId) =>
        (int)await Database.ScriptEvaluateAsync(UnsubscribeScript, values: [observerId, subscriberId]) == 1;

    /// <summary>Ends the subscriptions of subscribers whose deadline passed; drops observers left without subscribers.</summary>
    public async Task<int> ExpireSubscribersAsync() =>
        (int)await Database.ScriptEvaluateAsync(ExpireScript, values: [time.GetUtcNow().ToUnixTimeMilliseconds()]);

    /// <summary>Records that an observer's result may have changed; -1 when the observer no longer exists.</summary>
    public async Task<long> MarkChangedAsync(string observerId) =>
        (long)await Database.ScriptEvaluateAsync(MarkChangedScript, [RedisKeys.Observer(observerId)]);

    public async Task<IReadOnlyList<string>> FindDependentObserversAsync(IReadOnlyList<string> changeKeys)
    {
        var members = await Database.SetCombineAsync(SetOperation.Union, [.. changeKeys.Select(key => (RedisKey)RedisKeys.Dependency(key))]);
        return [.. members.Select(member => member.ToString())];
    }

    private const string BehindScript = """
        local behind = {}
        for _, oid in ipairs(redis.call('SMEMBERS', 'rr:observers')) do
          local counts = redis.call('HMGET', 'rr:obs:' .. oid, 'gen', 'done')
          if counts[1] and tonumber(counts[1]) > tonumber(counts[2]) then table.insert(behind, oid) end
        end
        return behind
        """;

    /// <summary>Observers with changes counted but not yet evaluated.</summary>
    public async Task<IReadOnlyList<string>> ObserversBehindAsync() =>
        [.. ((RedisResult[])(await Database.ScriptEvaluateAsync(BehindScript))!).Select(result => result.ToString())];

    public async Task<ObserverSnapshot?> ReadAsync(string observerId)
    {
        var transaction = Database.CreateTransaction();
        var fields = transaction.HashGetAsync(RedisKeys.Observer(observerId), ["url", "result", "gen", "done", "inc", "evaluations"]);
        var subscribers = transaction.HashGetAllAsync(RedisKeys.ObserverSubscribers(observerId));
        await transaction.ExecuteAsync();
        var values = await fields;
        if (values[0].IsNull)
        {
            return null;
        }

        return new ObserverSnapshot(
            observerId,
            values[0].ToString(),
            ObservedItem.ParseArray(values[1].ToString()),
            (long)values[2],
            (long)values[3],
            values[4].ToString(),
            (long)values[5],
            (await subscribers).ToDictionary(entry => entry.Name.ToString(), entry => entry.Value.ToString()));
    }

    /// <summary>
    /// Stores a new result and appends each subscriber's messages to its outbox, atomically: the messages common to
    /// every up-to-date subscriber travel once, whatever their number. A subscription whose baseline changed meanwhile
    /// (its subscriber issued the GET again) is left for the next evaluation.
    /// </summary>
    public async Task<bool> CommitAsync(
        ObserverSnapshot snapshot,
        IReadOnlyList<ObservedItem> result,
        IReadOnlyList<string> commonMessages,
        IReadOnlyList<string> upToDateSubscribers,
        IReadOnlyList<Delivery> ownBaselineDeliveries)
    {
        var own = JsonSerializer.Serialize(ownBaselineDeliveries.Select(delivery => new
        {
            sid = delivery.SubscriberId,
            @base = Sha1Hex(delivery.Baseline),
            msgs = delivery.Messages,
        }));
        var committed = await Database.ScriptEvaluateAsync(CommitScript,
            [RedisKeys.Observer(snapshot.ObserverId), RedisKeys.ObserverSubscribers(snapshot.ObserverId)],
            [ObservedItem.ToJsonArray(result), snapshot.Generation, snapshot.Incarnation, options.Value.MaxQueuedMessages,
             System.Diagnostics.Activity.Current?.Id ?? "",
             JsonSerializer.Serialize(commonMessages), JsonSerializer.Serialize(upToDateSubscribers), own]);
        return (int)committed == 1;
    }

    /// <summary>Whether changes were counted that no evaluation has covered yet (false when the observer is gone).</summary>
    public async Task<bool> IsBehindAsync(string observerId)
    {
        var counts = await Database.HashGetAsync(RedisKeys.Observer(observerId), ["gen", "done"]);
        return !counts[0].IsNull && (long)counts[0] > (long)counts[1];
    }

    public async Task<ObserverStats?> GetStatsAsync(string observerId)
    {
        var snapshot = await ReadAsync(observerId);
        return snapshot is null
            ? null
            : new ObserverStats(observerId, snapshot.Url, snapshot.Subscribers.Count, snapshot.Evaluations, snapshot.Generation, snapshot.Done);
    }

    /// <summary>Keeps a subscriber's subscriptions alive until <paramref name="deadline"/>.</summary>
    public Task RenewSubscriberAsync(string subscriberId, DateTimeOffset deadline) =>
        Database.SortedSetAddAsync(RedisKeys.Subscribers, subscriberId, deadline.ToUnixTimeMilliseconds());

    /// <summary>The oldest messages owed to a subscriber, each with the trace (W3C traceparent) of the evaluation that made it.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> ReadOutboxAsync(string subscriberId, int count)
    {
        var entries = await Database.StreamRangeAsync(RedisKeys.SubscriberOutbox(subscriberId), "-", "+", count);
        return [.. entries.Select(entry => new OutboxMessage(entry.Id.ToString(), entry["m"].ToString(), entry["tp"].ToString()))];
    }

    public Task RemoveFromOutboxAsync(string subscriberId, IReadOnlyList<string> ids) =>
        Database.StreamDeleteAsync(RedisKeys.SubscriberOutbox(subscriberId), [.. ids.Select(id => (RedisValue)id)]);

    private static string Sha1Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
