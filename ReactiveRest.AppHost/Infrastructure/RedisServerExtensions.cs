using Microsoft.Extensions.DependencyInjection;

namespace ReactiveRest.AppHost.Infrastructure;

public static class RedisServerExtensions
{
    /// <summary>Redis as a container, or as a local <c>redis-server</c> process, as the settings decide.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, InfrastructureSettings settings)
    {
        if (settings.UseContainers)
        {
            return builder.AddRedis(name);
        }

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var dataDirectory = Path.Combine(settings.DataDirectory, name);
        Directory.CreateDirectory(dataDirectory);
        var redis = new LocalRedisResource(name, settings.Binaries.RedisServer!, dataDirectory, password);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, cancellationToken) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of {name} is not known yet."),
            name: healthCheckKey);

        return builder.AddResource(redis)
            .WithEndpoint(scheme: "tcp", name: LocalRedisResource.PrimaryEndpointName)
            .WithHealthCheck(healthCheckKey)
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--requirepass");
                context.Args.Add(password);
                // Like the container without a volume: nothing is written to disk.
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            });
    }
}
