namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// One <c>redis-server --cluster-enabled yes</c> process of a <see cref="LocalRedisClusterResource"/>, in a data folder
/// of its own. Its ports are chosen before it starts and are not proxied: a cluster node tells clients its own address
/// (CLUSTER SLOTS, MOVED), so that address must be one they can reach.
/// </summary>
/// <param name="port">The port clients connect to.</param>
public sealed class LocalRedisClusterNodeResource(string name, string command, string dataDirectory, int port)
    : ExecutableResource(name, command, dataDirectory)
{
    public const string PrimaryEndpointName = "tcp";

    /// <summary>
    /// How far above its port a node listens for the other nodes (the cluster bus). Redis's fixed default, rather than
    /// <c>--cluster-port</c>, which Redis before 7.0 (Ubuntu 22.04's 6.0, say) does not know.
    /// </summary>
    public const int BusPortOffset = 10000;

    public string DataDirectory { get; } = dataDirectory;

    public int Port { get; } = port;

    /// <summary>Holds the password; private, so it is on neither the command line nor the dashboard.</summary>
    public string ConfigFile => Path.Combine(DataDirectory, "redis.conf");

    /// <summary>The node's own view of the cluster, which Redis writes and reloads when the node restarts.</summary>
    public string ClusterConfigFile => Path.Combine(DataDirectory, "nodes.conf");

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);
}
