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
        builder.Services.AddSingleton<DeliveryHub>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeliveryHub>());
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
