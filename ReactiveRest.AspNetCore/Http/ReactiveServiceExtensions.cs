using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Http;

public static class ReactiveServiceExtensions
{
    /// <summary>
    /// What both hosts need of the reactive layer: options, Redis, the resource catalog bound to the model of
    /// <typeparamref name="TContext"/>, in-process evaluation, the observer and subscriber stores.
    /// </summary>
    /// <param name="accessTables">The tables that grant users access to per-user resources.</param>
    public static IHostApplicationBuilder AddReactiveCore<TContext>(
        this IHostApplicationBuilder builder, IEnumerable<IReactiveResource> resources, IEnumerable<IAccessTable>? accessTables = null)
        where TContext : DbContext
    {
        builder.Services.AddOptions<ReactiveOptions>()
            .BindConfiguration(ReactiveOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Reconnect within a second of Redis coming back, however long it was away: the default backoff grows to
        // ten seconds, during which an observe GET would still answer 503 although Redis answers again.
        builder.AddRedisClient("redis", configureOptions: options => options.ReconnectRetryPolicy = new StackExchange.Redis.ExponentialRetry(250, 1000));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReactiveMetrics>();

        var catalog = new ResourceCatalog(resources, accessTables);
        builder.Services.AddSingleton(services =>
        {
            using var scope = services.CreateScope();
            catalog.Bind(scope.ServiceProvider.GetRequiredService<TContext>());
            return catalog;
        });
        builder.Services.AddSingleton(services => new ReactiveDatabase(services.GetRequiredService<IServiceScopeFactory>(), typeof(TContext)));
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        // Messages are written with the API's own JSON options, so that their items equal the API's answers.
        builder.Services.AddOptions<ResourceJsonOptions>()
            .Configure<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>((options, http) => options.SerializerOptions = http.Value.SerializerOptions);

        builder.Services.AddSingleton<ObserverStore>();
        builder.Services.AddSingleton<SubscriberStore>();
        builder.Services.AddSingleton<Quotas.UserQuotas>();
        builder.Services.AddSingleton<Quotas.StoredBytesRecorder>();
        builder.Services.AddSingleton<ControlChannel>();
        builder.Services.AddSingleton<ChangeStream>();
        builder.Services.AddSingleton<EvaluationBatcher>();
        builder.Services.AddSingleton<ObserverEvaluator>();
        builder.Services.AddSingleton<ObserveService>();
        builder.Services.AddSingleton<SubscriptionService>();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
        return builder;
    }
}
