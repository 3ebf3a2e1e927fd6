using Microsoft.Extensions.DependencyInjection;

namespace ReactiveRest.AppHost.Infrastructure;

public static class RedisServerExtensions
{
    /// <summary>
    /// Redis as a container, as a local <c>redis-server</c> process, or as a local three-node Redis Cluster
    /// (<c>Infrastructure:RedisCluster</c>), as the settings decide. Services see one resource either way.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, InfrastructureSettings settings)
    {
        if (settings.UseContainers)
        {
            return builder.AddRedis(name);
        }

        if (settings.RedisCluster)
        {
            return builder.AddLocalRedisCluster(name, settings);
        }

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        // Fresh for each AppHost run, as a container without a volume would be; within the run it survives restarts.
        var dataDirectory = Path.Combine(settings.DataDirectory, name);
        LocalRedisFolders.Recreate(settings.DataDirectory, dataDirectory);
        var redis = new LocalRedisResource(name, settings.Binaries.RedisServer!, dataDirectory, password);
        var port = FreePorts.Take();

        // The password goes into a private config file, not onto the command line, where ps and the dashboard show it.
        var configFile = Path.Combine(dataDirectory, "redis.conf");
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, async (_, cancellationToken) =>
        {
            var secret = await password.GetValueAsync(cancellationToken);
            PrivateDirectory.RefuseLinks(settings.DataDirectory, configFile);
            PrivateDirectory.WriteSecret(configFile, $"requirepass {secret}\n");
        });

        return builder.AddResource(redis)
            // Not behind DCP's proxy: a proxy accepts connections whether or not Redis answers behind it, so a client
            // could sit on a dead connection; the port is chosen here instead, and kept across restarts within a run.
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalRedisResource.PrimaryEndpointName, isProxied: false)
            .WithConnectionStringHealthCheck((checks, connectionString, check) => checks.AddRedis(connectionString, name: check))
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                // Subscriptions and undelivered messages live here: an append-only file lets them survive a
                // restart of the process (in its own data folder, which each AppHost run starts empty).
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                context.Args.Add("--appendfsync");
                context.Args.Add("everysec");
            });
    }
}
