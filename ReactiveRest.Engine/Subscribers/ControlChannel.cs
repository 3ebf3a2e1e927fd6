using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Subscribers;

/// <summary>Publishes subscription events to the replicas (<see cref="RedisKeys.Control"/>).</summary>
public sealed class ControlChannel(IConnectionMultiplexer redis)
{
    public Task PublishAsync(ControlMessage message) =>
        redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisKeys.Control), message.ToString());
}
