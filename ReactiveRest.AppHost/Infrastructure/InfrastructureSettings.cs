using System.Security.Cryptography;
using System.Text;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// Decides, once per AppHost start, whether Redis and PostgreSQL run as containers or as local processes, and
/// where local processes keep their data. Configured by <c>Infrastructure:Mode</c> (Auto, Containers,
/// LocalProcesses), <c>Infrastructure:DataDirectory</c> and <c>Infrastructure:RedisCluster</c>, e.g. as
/// <c>Infrastructure__Mode=LocalProcesses</c>.
/// </summary>
/// <param name="RedisCluster">Redis runs as a local three-master Redis Cluster instead of one server.</param>
public sealed record InfrastructureSettings(InfrastructureMode Mode, string DataDirectory, LocalBinaries Binaries, bool RedisCluster = false)
{
    public const string ModeKey = "Infrastructure:Mode";
    public const string DataDirectoryKey = "Infrastructure:DataDirectory";
    public const string RedisClusterKey = "Infrastructure:RedisCluster";

    public bool UseContainers => Mode == InfrastructureMode.Containers;

    public static InfrastructureSettings Resolve(IDistributedApplicationBuilder builder)
    {
        var binaries = LocalBinaries.Find();
        var dataDirectory = builder.Configuration[DataDirectoryKey] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : DefaultDataDirectory(builder.AppHostDirectory);

        if (builder.ExecutionContext.IsPublishMode)
        {
            // Deployments (azd) map containers to Container Apps; local binaries mean nothing there, and neither does
            // a local cluster: a deployment gives the services a managed cluster's connection string instead.
            return new(InfrastructureMode.Containers, dataDirectory, binaries);
        }

        var requested = builder.Configuration[ModeKey] is { Length: > 0 } text
            ? Enum.TryParse<InfrastructureMode>(text, ignoreCase: true, out var parsed)
                ? parsed
                : throw new DistributedApplicationException($"{ModeKey} is '{text}'; use Auto, Containers or LocalProcesses.")
            : InfrastructureMode.Auto;

        var mode = requested switch
        {
            InfrastructureMode.Containers => ContainerRuntime.IsHealthy(builder.Configuration, out var why)
                ? InfrastructureMode.Containers
                : throw new DistributedApplicationException($"{ModeKey} is Containers, but {why} Start the container runtime, or set {ModeKey} to LocalProcesses or Auto."),
            InfrastructureMode.LocalProcesses => binaries.IsComplete
                ? InfrastructureMode.LocalProcesses
                : throw new DistributedApplicationException($"{ModeKey} is LocalProcesses, but {binaries.DescribeMissing()}"),
            _ when ContainerRuntime.IsHealthy(builder.Configuration, out _) => InfrastructureMode.Containers,
            _ when binaries.IsComplete => InfrastructureMode.LocalProcesses,
            _ => throw new DistributedApplicationException(
                $"ReactiveRest needs Redis and PostgreSQL: no container runtime is healthy, and {binaries.DescribeMissing()} " +
                "Or start Docker (or Podman) to run them as containers."),
        };

        var redisCluster = builder.Configuration[RedisClusterKey] is { Length: > 0 } clusterText
            ? bool.TryParse(clusterText, out var clusterParsed)
                ? clusterParsed
                : throw new DistributedApplicationException($"{RedisClusterKey} is '{clusterText}'; use true or false.")
            : false;
        if (redisCluster && mode != InfrastructureMode.LocalProcesses)
        {
            throw new DistributedApplicationException(
                $"{RedisClusterKey} is true, which runs a local Redis Cluster of redis-server processes, but {ModeKey} resolved to {mode}. " +
                $"Set {ModeKey} to LocalProcesses, or, for a cluster of your own, give the services its connection string (ConnectionStrings__redis).");
        }

        if (redisCluster && binaries.RedisCli is null)
        {
            throw new DistributedApplicationException(
                $"{RedisClusterKey} is true, but redis-cli, which creates the cluster, was not found on PATH (install it: apt-get install redis-tools).");
        }

        if (mode == InfrastructureMode.LocalProcesses)
        {
            PrivateDirectory.Ensure(dataDirectory);
        }

        return new(mode, dataDirectory, binaries, redisCluster);
    }

    /// <summary>Where the PostgreSQL cluster's folder goes (see <see cref="PostgresDirectoryOf"/>).</summary>
    public string PostgresDirectory => PostgresDirectoryOf(DataDirectory);

    /// <summary>
    /// The data directory itself, unless we are root: then PostgreSQL runs as the 'postgres' user, who cannot enter
    /// root's private directory, so its cluster lives beside it, in <c>&lt;data directory&gt;-postgres</c>, a
    /// directory of the postgres user's own.
    /// </summary>
    public static string PostgresDirectoryOf(string dataDirectory) =>
        RunsAsRoot ? Path.TrimEndingDirectorySeparator(dataDirectory) + "-postgres" : dataDirectory;

    /// <summary>Root on Linux, where PostgreSQL must run as another user; an administrator on Windows is not that.</summary>
    private static bool RunsAsRoot => Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows();

    /// <summary>
    /// Next to the AppHost, unless the AppHost runs as root: then the cluster's folder must be one the postgres user
    /// reaches (see <see cref="PostgresDirectoryOf"/>), which a checkout under /root is not, so both go under /var/tmp,
    /// named for the user and the AppHost. A predictable name there is safe only because
    /// <see cref="PrivateDirectory"/> refuses one that someone else made.
    /// </summary>
    private static string DefaultDataDirectory(string appHostDirectory)
    {
        if (!RunsAsRoot)
        {
            return Path.Combine(appHostDirectory, ".localdata");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..12];
        return Path.Combine("/var/tmp", $"reactiverest-{LibC.EffectiveUserId}-{hash}");
    }
}
