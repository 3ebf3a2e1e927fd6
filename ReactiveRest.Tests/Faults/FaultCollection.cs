namespace ReactiveRest.Tests.Faults;

/// <summary>Tests that crash or stop shared processes: they run alone, after every parallel test, one at a time.</summary>
[CollectionDefinition(nameof(FaultCollection), DisableParallelization = true)]
public sealed class FaultCollection;
