namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// A <c>postgres</c> process run by DCP on a data folder the AppHost initialises, with a connection string like the
/// PostgreSQL container's.
/// </summary>
/// <param name="privateDirectory">The AppHost's private data directory, where the password is kept.</param>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, string dataDirectory, string privateDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const string UserName = "postgres";

    /// <summary>The cluster's folder (PGDATA).</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>Where the cluster's folder is made, and the AppHost may write (beside the cluster: initdb wants an empty folder).</summary>
    public string ParentDirectory => Path.GetDirectoryName(DataDirectory)!;

    /// <summary>The AppHost's private data directory.</summary>
    public string PrivateDirectory { get; } = privateDirectory;

    /// <summary>
    /// In the private data directory: the cluster outlives one AppHost run, so its password must too, and whoever
    /// chose it would be the database's superuser.
    /// </summary>
    public string PasswordFile => Path.Combine(PrivateDirectory, Name + ".password");

    /// <summary>Set when the model is built (see <see cref="LocalPostgresCluster.EnsurePassword"/>).</summary>
    public string Password { get; internal set; } = "";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");
}
