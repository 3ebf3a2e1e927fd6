using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.Subscribers;
using ReactiveRest.Observers.Delivery;
using ReactiveRest.Observers.Evaluation;

namespace ReactiveRest.Observers.Extensions;

public static class ObserverServiceExtensions
{
    /// <summary>
    /// The observer worker: the change relay, the change consumer, the evaluation scheduler, the maintenance loop and the
    /// subscribers' WebSockets. It knows no resource by name: it evaluates whatever the application registered with
    /// <c>AddReactiveCore</c> (its model and resource catalog) before calling this.
    /// </summary>
    public static IHostApplicationBuilder AddObserverServices(this IHostApplicationBuilder builder)
    {
        builder.AddReactiveAuthentication();
        builder.Services.AddSingleton<Subscribers.SocketQuota>();

        builder.Services.AddHostedService<CaptureCheck>();
        builder.Services.AddHostedService<EvaluationWarmup>();
        builder.Services.AddSingleton<ReplicaRegistry>();
        builder.Services.AddHostedService<ChangeRelay>();
        builder.Services.AddSingleton<EvaluationScheduler>();
        builder.Services.AddSingleton<ChangeConsumer>();
        builder.Services.AddSingleton<IChangeHandler>(services => services.GetRequiredService<ChangeConsumer>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ChangeConsumer>());
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<FeedCache>();
        builder.Services.AddSingleton<SubscriptionExpiry>();
        builder.Services.AddSingleton<SessionDetacher>();
        builder.Services.AddSingleton<SessionTakeover>();
        builder.Services.AddSingleton<SubscriptionResumer>();
        builder.Services.AddSingleton<SessionReassertion>();
        builder.Services.AddSingleton<StuckSessionSweep>();
        builder.Services.AddSingleton<DeliveryStatus>();
        // Started in this order and stopped in the reverse: the control loop stops reading before the sessions are
        // asked to close, and the feed channel is subscribed before the first subscription can attach.
        builder.Services.AddSingleton<SubscriberSocketServer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SubscriberSocketServer>());
        builder.Services.AddSingleton<FeedRouter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FeedRouter>());
        builder.Services.AddSingleton<ControlEventLoop>();
        builder.Services.AddSingleton<FeedCatchUp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FeedCatchUp>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ControlEventLoop>());
        builder.Services.AddHostedService<ObserverMaintenance>();
        builder.Services.AddHostedService<ReplicaGauges>();

        // Many long-lived, mostly idle connections: small socket buffers (see SmallBlockMemoryPool).
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, Hosting.SmallBlockMemoryPoolFactory>();
        return builder;
    }

    public static WebApplication UseObserverWebSockets(this WebApplication app)
    {
        // Pings keep idle connections open through proxies and reveal dead peers.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        return app;
    }
}
