namespace ReactiveRest.Benchmark.Clients;

/// <summary>An observe GET's answer: the observer and the seq the subscriber stands at, or what went wrong.</summary>
internal sealed record ObserveResult(string? Observer, long Seq, string? Error);
