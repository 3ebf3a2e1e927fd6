namespace ReactiveRest.Observers.Extensions;

public static class ObserverServiceExtensions
{
    /// <summary>The observer worker's dependencies: Redis (change keys, observer state), with its health check.</summary>
    public static IHostApplicationBuilder AddObserverServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis");
        return builder;
    }
}
