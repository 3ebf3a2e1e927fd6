using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Quotas;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.WebSockets;

/// <summary>The WebSocket on which each subscriber receives its observers' messages.</summary>
public static class SubscriberWebSocketEndpoint
{
    /// <summary>The response header that names the replica serving a connection.</summary>
    public const string ReplicaHeader = "X-ReactiveRest-Replica";

    /// <summary>
    /// <c>/ws/{subscriber}</c>: the WebSocket on which a subscriber receives its observers' messages. Authenticated
    /// (401 before the upgrade without a token); the id belongs to the user who first used it (403 for anyone else).
    /// </summary>
    public static IEndpointRouteBuilder MapSubscriberWebSocket(this IEndpointRouteBuilder app)
    {
        // Map, not MapGet: WebSockets over HTTP/2 arrive as CONNECT. The catch-all lets a malformed id reach the
        // validation below and get its 400 instead of a 404.
        app.Map("/ws/{**subscriber}", ConnectAsync).WithName("SubscriberWebSocket").WithSummary("A subscriber's WebSocket")
            .RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Accepts WebSockets, pinging each every <see cref="ReactiveOptions.KeepAliveInterval"/>: pings keep idle
    /// connections open through proxies, and a peer that does not answer one within
    /// <see cref="ReactiveOptions.KeepAliveTimeout"/> is dropped (its subscriptions enter the grace period). Call before
    /// <see cref="MapSubscriberWebSocket"/>'s endpoint is reached (before authentication).
    /// </summary>
    public static IApplicationBuilder UseObserverWebSockets(this IApplicationBuilder app)
    {
        // Defaults when the application did not configure the reactive options (IOptions always resolves).
        var options = app.ApplicationServices.GetService<Microsoft.Extensions.Options.IOptions<ReactiveOptions>>()?.Value ?? new ReactiveOptions();
        return app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout });
    }

    private static async Task<IResult> ConnectAsync(HttpContext context, string? subscriber, IServiceProvider services)
    {
        if (!SubscriberIds.IsValid(subscriber))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Bad subscriber id", $"A subscriber id is {SubscriberIds.Rule}.");
        }

        if (ResumeRequest.Parse(context.Request.Query[ResumeRequest.Parameter]) is not { } resume)
        {
            var errors = new Engine.Querying.QueryErrors();
            errors.Add(ResumeRequest.Parameter, ResumeRequest.Rule);
            return Problems.Validation(errors, "The resume parameter is invalid.");
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "WebSocket expected", "Open this URL as a WebSocket (an HTTP upgrade).");
        }

        // The request's span is not recorded (ServiceDefaults filters WebSockets out); as the current activity it would
        // still make the Redis instrumentation keep a profiling session, from the first Redis call below, for as long
        // as the connection lives.
        System.Diagnostics.Activity.Current = null;

        if (!services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().IsConnected)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "The subscription store (Redis) cannot be reached; reconnect shortly.");
        }

        var user = Users.Of(context.User);
        var store = services.GetRequiredService<SubscriberStore>();
        var quotas = services.GetRequiredService<UserQuotas>();
        var owning = store.OwnAsync(subscriber!, user);
        var subscriberPlace = quotas.TakeSubscriberAsync(user, subscriber!);
        await Task.WhenAll(owning, subscriberPlace);
        if (await owning == Ownership.Foreign)
        {
            // The owner's connection, if any, is left untouched.
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden", "This subscriber id belongs to another user; choose another id.");
        }

        if (await subscriberPlace is { } tooManyIds)
        {
            if (await owning == Ownership.Claimed)
            {
                await store.GiveBackClaimAsync(subscriber!, user);
            }

            return QuotaProblems.Refused(context, user, tooManyIds);
        }

        var replicaId = services.GetRequiredService<ReplicaRegistry>().ReplicaId;
        var socketId = Guid.NewGuid().ToString("N");
        if (await quotas.TakeSocketAsync(user, replicaId, socketId) is { } tooManySockets)
        {
            if (await owning == Ownership.Claimed)
            {
                // Nothing used the id: it is nobody's again, and takes none of the user's places.
                await store.GiveBackClaimAsync(subscriber!, user);
                await quotas.ForgetSubscriberAsync(user, subscriber!);
            }

            return QuotaProblems.Refused(context, user, tooManySockets);
        }

        try
        {
            // Which replica serves the connection: for operators following a client, and for the fault tests.
            context.Response.Headers[ReplicaHeader] = replicaId;
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await services.GetRequiredService<SubscriberSocketServer>().ServeAsync(subscriber!, user, socket, resume, context.RequestAborted,
                TokenExpiry.Of(context), services.GetService<SocketTokenValidator>());
        }
        finally
        {
            await ReleaseSocketQuietlyAsync(quotas, user, replicaId, socketId);
        }

        return Results.Empty;
    }

    /// <summary>
    /// Redis may be away as the socket ends: the place is then found by the recount when the user reaches the quota,
    /// once this replica is gone, or stays taken until then while this replica lives.
    /// </summary>
    private static async Task ReleaseSocketQuietlyAsync(UserQuotas quotas, string user, string replicaId, string socketId)
    {
        try
        {
            await quotas.ReleaseSocketAsync(user, replicaId, socketId);
        }
        catch (StackExchange.Redis.RedisException)
        {
        }
    }
}
