namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// The Redis and PostgreSQL server binaries of this machine: <c>redis-server</c> (and <c>redis-cli</c>, which only a
/// local Redis Cluster needs) on PATH, <c>postgres</c> and <c>initdb</c> on PATH or in the newest
/// /usr/lib/postgresql/*/bin (where Debian puts them, off PATH).
/// </summary>
public sealed record LocalBinaries(string? RedisServer, string? Postgres, string? InitDb, string? RedisCli)
{
    /// <summary>The unprivileged account PostgreSQL runs as when the AppHost runs as root.</summary>
    public const string PostgresUser = "postgres";

    public bool IsComplete => RedisServer is not null && Postgres is not null && InitDb is not null;

    public static LocalBinaries Find()
    {
        var postgresBin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;

        return new(
            OnPath("redis-server"),
            OnPath("postgres") ?? InFolder(postgresBin, "postgres"),
            OnPath("initdb") ?? InFolder(postgresBin, "initdb"),
            OnPath("redis-cli"));
    }

    public string DescribeMissing()
    {
        var missing = new List<string>();
        if (RedisServer is null)
        {
            missing.Add("redis-server was not found on PATH (install it: apt-get install redis-server)");
        }

        if (Postgres is null || InitDb is null)
        {
            missing.Add("postgres and initdb were found neither on PATH nor in /usr/lib/postgresql/*/bin (install them: apt-get install postgresql)");
        }

        return string.Join("; ", missing) + ".";
    }

    /// <summary>
    /// The command line that runs <paramref name="program"/> as the postgres user when we are root (PostgreSQL refuses
    /// root), and as ourselves otherwise. setpriv execs in place, so stop signals reach the server itself.
    /// </summary>
    public static (string Command, IReadOnlyList<string> Prefix) AsPostgresUser(string program) =>
        Environment.IsPrivilegedProcess
            ? ("setpriv", ["--reuid", PostgresUser, "--regid", PostgresUser, "--init-groups", "--", program])
            : (program, []);

    /// <summary>The postgres user's user and group ids (as root, the cluster's directory is theirs).</summary>
    public static (uint User, uint Group) PostgresUserIds() =>
        LibC.UserIds(PostgresUser)
            ?? throw new DistributedApplicationException($"The AppHost runs as root, so PostgreSQL must run as the '{PostgresUser}' user, and there is no such user (install PostgreSQL: apt-get install postgresql).");

    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    private static string? InFolder(string? folder, string name) =>
        folder is not null && File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name) : null;
}
