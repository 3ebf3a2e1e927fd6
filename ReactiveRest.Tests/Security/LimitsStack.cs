using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>A stack of its own with small limits, so that tests reach each one quickly; one observers replica, so a socket count is one replica's.</summary>
public sealed class LimitsStack() : ReactiveRestStack(
[
    "Observers:Replicas=1",
    $"Reactive:MaxObserversPerSubscriber={ObserversPerSubscriber}",
    $"Reactive:MaxSocketsPerUser={SocketsPerUser}",
    $"Reactive:ObservesPerSecondPerUser={PerSecond}",
    $"Reactive:WritesPerSecondPerUser={PerSecond}",
])
{
    public const int ObserversPerSubscriber = 3;
    public const int SocketsPerUser = 3;

    /// <summary>Observes and writes per user per second; bursts of twice as many pass.</summary>
    public const int PerSecond = 5;
}

[CollectionDefinition(nameof(LimitsCollection))]
public sealed class LimitsCollection : ICollectionFixture<LimitsStack>;
