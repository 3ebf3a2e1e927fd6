namespace ReactiveRest.Benchmark.Stack;

/// <summary>A process of the stack whose CPU and memory the benchmark reads.</summary>
/// <param name="Label">How tables name it: <c>api</c>, <c>observers-1</c>, <c>postgres</c>, <c>redis</c>, <c>bench</c>.</param>
/// <param name="WithDescendants">Count the processes below it too (PostgreSQL's backends under the postmaster).</param>
internal sealed record MonitoredProcess(string Label, int Pid, bool WithDescendants = false);
