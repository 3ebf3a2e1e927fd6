using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReactiveRest.AppHost.Infrastructure;

public static class RedisClusterExtensions
{
    /// <summary>Three masters, the fewest Redis Cluster accepts, and no replicas: enough to spread slots, no more.</summary>
    private const int NodeCount = 3;

    /// <summary>
    /// A Redis Cluster of local <c>redis-server</c> processes (<c>name-1</c> to <c>name-3</c>, shown under
    /// <paramref name="name"/>), created once all three answer, behind one resource named <paramref name="name"/>
    /// whose connection string names every node and which is healthy once the cluster serves every slot.
    /// </summary>
    public static IResourceBuilder<LocalRedisClusterResource> AddLocalRedisCluster(
        this IDistributedApplicationBuilder builder, string name, InfrastructureSettings settings)
    {
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        // Fresh for each AppHost run, as for a single server; within the run each node's AOF and nodes.conf survive its restarts.
        var dataDirectory = Path.Combine(settings.DataDirectory, name);
        LocalRedisFolders.Recreate(settings.DataDirectory, dataDirectory);

        // Chosen now, not by DCP, which allocates only proxied ports; kept for the run, because the nodes remember each
        // other's addresses in nodes.conf.
        var ports = FreePorts.TakeWithCompanions(NodeCount, LocalRedisClusterNodeResource.BusPortOffset);
        var nodes = Enumerable.Range(0, NodeCount)
            .Select(i => new LocalRedisClusterNodeResource(
                $"{name}-{i + 1}", settings.Binaries.RedisServer!, Path.Combine(dataDirectory, $"{name}-{i + 1}"), ports[i]))
            .ToList();
        var cluster = new LocalRedisClusterResource(name, password, nodes);

        var redis = builder.AddResource(cluster)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RedisCluster",
                State = KnownResourceStates.Waiting,
                Properties = [],
            });
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}_check", cancellationToken => LocalRedisCluster.CheckAsync(cluster, cancellationToken));
        redis.WithHealthCheck($"{name}_check");

        foreach (var node in nodes)
        {
            builder.AddClusterNode(node, password, settings.DataDirectory).WithParentRelationship(cluster);
        }

        builder.CreateClusterWhenNodesAreReady(cluster, settings.Binaries.RedisCli!);
        return redis;
    }

    private static IResourceBuilder<LocalRedisClusterNodeResource> AddClusterNode(
        this IDistributedApplicationBuilder builder, LocalRedisClusterNodeResource node, ParameterResource password, string privateDirectory)
    {
        LocalRedisFolders.Create(privateDirectory, node.DataDirectory);

        // The password goes into a private config file, not onto the command line, where ps and the dashboard show it;
        // masterauth too, so that a replica added later can follow its master.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(node, async (_, cancellationToken) =>
        {
            var secret = await password.GetValueAsync(cancellationToken);
            PrivateDirectory.RefuseLinks(privateDirectory, node.ConfigFile);
            PrivateDirectory.WriteSecret(node.ConfigFile, $"requirepass {secret}\nmasterauth {secret}\n");
        });

        var check = $"{node.Name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(check, cancellationToken => LocalRedisCluster.CheckNodeAsync(node, password, cancellationToken));

        return builder.AddResource(node)
            // Not proxied: clients reach the port the node announces in CLUSTER SLOTS and MOVED, so it must be its own.
            .WithEndpoint(port: node.Port, targetPort: node.Port, scheme: "tcp", name: LocalRedisClusterNodeResource.PrimaryEndpointName, isProxied: false)
            .WithHealthCheck(check)
            .WithArgs(
                node.ConfigFile,
                "--port", $"{node.Port}",
                "--bind", "127.0.0.1",
                "--cluster-enabled", "yes",
                "--cluster-config-file", node.ClusterConfigFile,
                // As for a single server: subscriptions and undelivered messages survive a restart of the process.
                "--save", "",
                "--appendonly", "yes",
                "--appendfsync", "everysec");
    }

    /// <summary>
    /// Once every node is ready (its PING answers), creates the cluster and marks the cluster resource running; its
    /// health check then waits for <c>cluster_state:ok</c> on every node before anything that waits for it starts.
    /// </summary>
    private static void CreateClusterWhenNodesAreReady(this IDistributedApplicationBuilder builder, LocalRedisClusterResource cluster, string redisCli)
    {
        var ready = new HashSet<string>(StringComparer.Ordinal);
        var creating = new SemaphoreSlim(1, 1);
        foreach (var node in cluster.Nodes)
        {
            builder.Eventing.Subscribe<ResourceReadyEvent>(node, async (@event, cancellationToken) =>
            {
                lock (ready)
                {
                    ready.Add(node.Name);
                    if (ready.Count < cluster.Nodes.Count)
                    {
                        return;
                    }
                }

                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(cluster);
                await creating.WaitAsync(cancellationToken);
                try
                {
                    await LocalRedisCluster.CreateAsync(cluster, redisCli, logger, cancellationToken);
                    await notifications.PublishUpdateAsync(cluster, state => state with
                    {
                        State = KnownResourceStates.Running,
                        StartTimeStamp = state.StartTimeStamp ?? DateTime.UtcNow,
                    });
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogError(exception, "Creating the Redis Cluster failed");
                    await notifications.PublishUpdateAsync(cluster, state => state with { State = KnownResourceStates.FailedToStart });
                }
                finally
                {
                    creating.Release();
                }
            });
        }
    }
}
