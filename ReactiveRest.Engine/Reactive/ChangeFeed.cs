using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// The change keys writes announce, as a Redis stream read by the observers' consumer group (each change is handled
/// by one replica, and survives a restart of the observers), plus a pub/sub wake-up so consumers do not poll.
/// The writer's trace context travels in the entry, since Redis carries no headers.
/// </summary>
public sealed class ChangeFeed(IConnectionMultiplexer redis)
{
    public const string KeysField = "keys";

    public async Task PublishAsync(IEnumerable<string> changeKeys)
    {
        var fields = new List<NameValueEntry> { new(KeysField, string.Join(' ', changeKeys.Distinct())) };
        if (Activity.Current is { } activity)
        {
            Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(activity.Context, Baggage.Current), fields,
                static (carrier, key, value) => carrier.Add(new NameValueEntry(key, value)));
        }

        var database = redis.GetDatabase();
        await database.StreamAddAsync(RedisKeys.Changes, [.. fields], maxLength: 100_000, useApproximateMaxLength: true);
        await database.PublishAsync(RedisChannel.Literal(RedisKeys.ChangesWake), "");
    }

    /// <summary>The trace context a change entry carries, for a span link.</summary>
    public static ActivityContext ExtractContext(StreamEntry entry) =>
        Propagators.DefaultTextMapPropagator.Extract(default, entry, static (carrier, key) =>
            carrier[key] is { IsNull: false } value ? [value.ToString()] : []).ActivityContext;
}
