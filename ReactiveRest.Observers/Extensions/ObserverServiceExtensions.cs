using ReactiveRest.Engine.Reactive;
using ReactiveRest.Observers.Evaluation;
using ReactiveRest.Observers.Subscribers;

namespace ReactiveRest.Observers.Extensions;

public static class ObserverServiceExtensions
{
    /// <summary>
    /// The observer worker: Redis (change keys, observer state, outboxes), the API it evaluates queries on, the change
    /// consumer, the evaluation scheduler, the maintenance loop and the subscribers' WebSocket sessions.
    /// </summary>
    public static IHostApplicationBuilder AddObserverServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis");
        builder.AddReactiveCore();

        builder.Services.AddHttpClient<ApiQueryEvaluator>(client => client.BaseAddress = new Uri("https+http://api"));
        builder.Services.AddSingleton<ObserverEvaluator>();
        builder.Services.AddSingleton<EvaluationScheduler>();
        builder.Services.AddSingleton<ChangeConsumer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChangeConsumer>());
        builder.Services.AddHostedService<ObserverMaintenance>();
        builder.Services.AddSingleton<SubscriberConnections>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SubscriberConnections>());
        return builder;
    }

    public static WebApplication UseObserverWebSockets(this WebApplication app)
    {
        // Pings keep idle connections open through proxies and reveal dead peers.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        return app;
    }
}
