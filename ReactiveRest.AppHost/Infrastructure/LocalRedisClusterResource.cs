namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// A Redis Cluster of local <see cref="LocalRedisClusterNodeResource"/> processes, one master each, seen by the services
/// as one Redis: its connection string names every node, and StackExchange.Redis discovers the cluster from it.
/// </summary>
public sealed class LocalRedisClusterResource(string name, ParameterResource password, IReadOnlyList<LocalRedisClusterNodeResource> nodes)
    : Resource(name), IResourceWithConnectionString
{
    public ParameterResource Password { get; } = password;

    public IReadOnlyList<LocalRedisClusterNodeResource> Nodes { get; } = nodes;

    /// <summary>
    /// <c>127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3,password=…</c>. The address is the one the nodes announce (they
    /// listen on 127.0.0.1 and met there), not <c>localhost</c>, so the client's configured endpoints are the very ones
    /// CLUSTER SLOTS and MOVED name, not a second set of connections to the same servers.
    /// </summary>
    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var expression = new ReferenceExpressionBuilder();
            foreach (var node in Nodes)
            {
                expression.Append($"127.0.0.1:{node.PrimaryEndpoint.Property(EndpointProperty.Port)},");
            }

            expression.Append($"password={Password}");
            return expression.Build();
        }
    }
}
