namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>A <c>redis-server</c> process run by DCP, with a connection string like the Redis container's.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        // 127.0.0.1, where redis-server binds: "localhost" may resolve to ::1 first and cost a refused attempt per connect.
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={Password}");
}
