namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// A <c>postgres</c> process run by DCP on a data folder the AppHost initialises, with a connection string like the
/// PostgreSQL container's.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const string UserName = "postgres";

    /// <summary>The cluster's folder (PGDATA).</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>Kept beside the cluster: the cluster outlives one AppHost run, so its password must too.</summary>
    public string PasswordFile => DataDirectory + ".password";

    /// <summary>Made when the model is built (see <see cref="LocalPostgresCluster.EnsurePassword"/>).</summary>
    public string Password => File.ReadAllText(PasswordFile).Trim();

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");
}
