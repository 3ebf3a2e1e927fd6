[assembly: AssemblyFixture(typeof(ReactiveRest.Tests.Infrastructure.ReactiveRestApp))]

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// The whole distributed application with one local Redis, started once for the test run. Tests share it and isolate
/// themselves by working on boards of their own.
/// </summary>
public sealed class ReactiveRestApp() : ReactiveRestStack(
[
    $"Reactive:GracePeriod={GracePeriod}",
    // Small, so that tests exercise the collapse of backlogs into one diff.
    $"Reactive:MaxLogMessages={MaxLogMessages}",
    // Four times the default, so that a damaged observer is verified soon among every other test's observers.
    $"Reactive:VerificationsPerSecond={VerificationsPerSecond}",
])
{
    /// <summary>Shorter than the 30-second default so the grace-period tests are quick; it also proves the setting works.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(4);

    public const int MaxLogMessages = 64;

    public const int VerificationsPerSecond = 20;

    /// <summary>How long a replica's liveness key lives unless renewed: the stack keeps the default.</summary>
    public static readonly TimeSpan ReplicaLifetime = new global::ReactiveRest.Engine.Reactive.ReactiveOptions().ReplicaLifetime;

    /// <summary>How often each replica renews its key and reaps dead replicas' subscribers: the stack keeps the default.</summary>
    public static readonly TimeSpan MaintenancePeriod = new global::ReactiveRest.Engine.Reactive.ReactiveOptions().MaintenancePeriod;
}
