namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// One <c>redis-server --cluster-enabled yes</c> process of a <see cref="LocalRedisClusterResource"/>, in a data folder
/// of its own. Its ports are chosen before it starts and are not proxied: a cluster node tells clients its own address
/// (CLUSTER SLOTS, MOVED), so that address must be one they can reach.
/// </summary>
/// <param name="port">The port clients connect to.</param>
/// <param name="busPort">The cluster bus port, where nodes talk to each other (by default port + 10000, which may not exist).</param>
public sealed class LocalRedisClusterNodeResource(string name, string command, string dataDirectory, int port, int busPort)
    : ExecutableResource(name, command, dataDirectory)
{
    public const string PrimaryEndpointName = "tcp";

    public string DataDirectory { get; } = dataDirectory;

    public int Port { get; } = port;

    public int BusPort { get; } = busPort;

    /// <summary>Holds the password; private, so it is on neither the command line nor the dashboard.</summary>
    public string ConfigFile => Path.Combine(DataDirectory, "redis.conf");

    /// <summary>The node's own view of the cluster, which Redis writes and reloads when the node restarts.</summary>
    public string ClusterConfigFile => Path.Combine(DataDirectory, "nodes.conf");

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);
}
