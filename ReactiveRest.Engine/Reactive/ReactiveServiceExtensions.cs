using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ReactiveRest.Engine.Reactive;

public static class ReactiveServiceExtensions
{
    /// <summary>What both hosts need of the reactive layer: options, the Redis-backed store and the change feed.</summary>
    public static IHostApplicationBuilder AddReactiveCore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReactiveOptions>().BindConfiguration(ReactiveOptions.SectionName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ObserverStore>();
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Http.DependencyUnavailableExceptionHandler>();
        return builder;
    }

    /// <summary>For hosts that write: change keys are published after commit, in order, retried while Redis is down.</summary>
    public static IHostApplicationBuilder AddChangePublishing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChangeDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChangeDispatcher>());
        return builder;
    }
}
