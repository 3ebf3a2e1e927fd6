namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>How the AppHost runs Redis and PostgreSQL.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers where a container runtime is healthy, local processes otherwise.</summary>
    Auto,

    /// <summary>Always containers (AddRedis, AddPostgres); publish mode always uses them.</summary>
    Containers,

    /// <summary>Always <c>redis-server</c> and <c>postgres</c> processes started from the machine's binaries.</summary>
    LocalProcesses,
}
