using ReactiveRest.Benchmark.Cases;

namespace ReactiveRest.Benchmark.Reporting;

/// <summary>A whole run: when, where, on which commit, and every case's figures with the goals judged.</summary>
internal sealed record RunReport(
    DateTimeOffset Date,
    bool Quick,
    string? Commit,
    MachineInfo Machine,
    IReadOnlyList<StackStart> Stacks,
    IReadOnlyList<CaseResult> Cases,
    IReadOnlyList<GoalCheck> Goals,
    double DurationSeconds,
    string LoadAtStart,
    string LoadAtEnd)
{
    public bool Failed => Cases.Any(result => result.Failed) || Stacks.Any(stack => stack.Error is not null);
}

/// <summary>One stack the run started: its observers replicas, how long it took to be healthy, or why it failed.</summary>
internal sealed record StackStart(int ObserverReplicas, double Seconds, string? Error);
