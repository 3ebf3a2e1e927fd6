using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Subscribers;

/// <summary>
/// Subscription events for the replicas, kept in a Redis stream that every replica reads from its own position (with a
/// pub/sub wake-up): unlike a bare publication, an event written while a replica was reconnecting is read when it
/// is back, so a connected subscriber never misses the subscription it just made.
/// </summary>
public sealed class ControlChannel(IConnectionMultiplexer redis)
{
    private const string Field = "m";

    /// <summary>Events beyond this are trimmed: a replica reads them within a second.</summary>
    private const int MaxEntries = 10_000;

    public async Task PublishAsync(ControlMessage message)
    {
        // The event and its wake-up in one round trip.
        var batch = redis.GetDatabase().CreateBatch();
        var added = batch.StreamAddAsync(RedisKeys.Control, Field, message.ToString(), maxLength: MaxEntries, useApproximateMaxLength: true);
        var woken = batch.PublishAsync(RedisChannel.Literal(RedisKeys.ControlWake), "");
        batch.Execute();
        await Task.WhenAll(added, woken);
    }

    /// <summary>The id of the newest event: a replica that starts reads what comes after it.</summary>
    public async Task<RedisValue> LastIdAsync()
    {
        var last = await redis.GetDatabase().StreamRangeAsync(RedisKeys.Control, "-", "+", count: 1, messageOrder: Order.Descending);
        return last.Length == 0 ? "0-0" : last[0].Id;
    }

    /// <summary>Events after <paramref name="afterId"/>, oldest first.</summary>
    public async Task<IReadOnlyList<(RedisValue Id, ControlMessage? Message)>> ReadAsync(RedisValue afterId, int count)
    {
        var entries = await redis.GetDatabase().StreamReadAsync(RedisKeys.Control, afterId, count);
        return [.. entries.Select(entry => (entry.Id, ControlMessage.Parse(entry[Field].ToString())))];
    }
}
