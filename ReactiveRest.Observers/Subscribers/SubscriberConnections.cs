using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Reactive;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Subscribers;

/// <summary>
/// The WebSocket sessions this replica serves. It listens once for the outbox notifications of every subscriber
/// and wakes the local session, and it renews the deadline of every connected subscriber so that its subscriptions
/// outlive a replica crash only by the grace period.
/// </summary>
public sealed class SubscriberConnections(
    IConnectionMultiplexer redis,
    ObserverStore store,
    IOptions<ReactiveOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public static readonly TimeSpan RenewPeriod = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, SubscriberSession> _sessions = new();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(RedisKeys.NotifyPrefix + "*"), (channel, _) =>
        {
            var subscriberId = channel.ToString()[RedisKeys.NotifyPrefix.Length..];
            if (_sessions.TryGetValue(subscriberId, out var session))
            {
                session.Wake();
            }
        });
        await base.StartAsync(cancellationToken);
    }

    public async Task ServeAsync(string subscriberId, WebSocket socket, CancellationToken aborted)
    {
        var session = new SubscriberSession(subscriberId, socket, store, redis, options.Value, loggers.CreateLogger<SubscriberSession>());
        if (_sessions.TryGetValue(subscriberId, out var previous))
        {
            await previous.SupersedeAsync();
        }

        _sessions[subscriberId] = session;
        try
        {
            await RenewAsync(subscriberId);
            await session.RunAsync(aborted);
        }
        finally
        {
            _sessions.TryRemove(new KeyValuePair<string, SubscriberSession>(subscriberId, session));
            await session.ReleaseAsync(time.GetUtcNow().Add(options.Value.GracePeriod));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewPeriod);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var subscriberId in _sessions.Keys)
            {
                try
                {
                    await RenewAsync(subscriberId);
                }
                catch (RedisException)
                {
                    // Renewed on the next tick; the grace period is far longer than one.
                }
            }
        }
    }

    /// <summary>A connected subscriber's subscriptions last the grace period beyond the next renewal.</summary>
    private Task RenewAsync(string subscriberId) =>
        store.RenewSubscriberAsync(subscriberId, time.GetUtcNow().Add(options.Value.GracePeriod + RenewPeriod * 2));
}
