using System.Net.WebSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Subscribers;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Serves each subscriber's WebSocket from the upgrade to its close: the session takes over any previous connection of
/// the subscriber, resumes its subscriptions and, once the socket is done, records where they stood. When the replica
/// stops, every client is asked to reconnect elsewhere.
/// </summary>
internal sealed class SubscriberSocketServer(
    SessionRegistry sessions,
    SessionTakeover takeover,
    SubscriptionResumer resumer,
    SessionDetacher detacher,
    SubscriberStore subscribers,
    ReplicaRegistry replicas,
    IOptions<ReactiveOptions> options,
    ReactiveMetrics metrics,
    ILogger<SubscriberSocketServer> logger) : IHostedService
{
    /// <summary>Close code (RFC 6455 1013) when Redis became unreachable while the connection was being set up.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Going away: each client reconnects to another replica and continues from where this one recorded it stood.
        foreach (var session in sessions.All)
        {
            session.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "This server is shutting down; reconnect.");
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!sessions.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Serves one WebSocket until it closes.</summary>
    /// <param name="user">The authenticated user, who owns the subscriber id (checked before the upgrade).</param>
    /// <param name="tokenExpires">When the token of the upgrade expires (the socket is closed with 4001 then); null for never.</param>
    /// <param name="tokens">Validates fresh tokens sent on the socket; null to accept none.</param>
    public async Task ServeAsync(string subscriberId, string user, WebSocket socket, IReadOnlyDictionary<string, long> resume, CancellationToken aborted,
        DateTimeOffset? tokenExpires = null, Engine.Security.SocketTokenValidator? tokens = null)
    {
        var session = new SubscriberSession(subscriberId, socket, options.Value, (failed, exception) =>
            logger.LogInformation("Subscriber {Subscriber} stopped reading or went away ({Error}); closing its connection", failed.SubscriberId, exception.GetType().Name),
            metrics)
        {
            User = user,
            TokenExpires = tokenExpires,
            ValidateToken = tokens is null ? null : tokens.ValidateAsync,
        };
        if (sessions.TryGet(subscriberId, out var local))
        {
            await takeover.SupersedeAsync(local);
        }

        sessions.Set(session);
        metrics.SocketOpened();
        var receiving = Task.CompletedTask;
        try
        {
            var (previousReplica, previousConnection) = await subscribers.ClaimAsync(subscriberId, replicas.ReplicaId, session.ConnectionId);
            if (previousConnection.Length > 0 && previousReplica.Length > 0 && previousReplica != replicas.ReplicaId && await replicas.IsAliveAsync(previousReplica))
            {
                await takeover.TakeOverAsync(subscriberId, session.ConnectionId, previousConnection);
            }

            // Heartbeats are answered while the subscriptions are being attached.
            receiving = session.ReceiveAsync(aborted);
            await resumer.ResumeAllAsync(session, resume);
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
            await detacher.DetachAsync(session);
        }
    }
}
