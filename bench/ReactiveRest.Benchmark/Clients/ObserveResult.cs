namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// An observe GET's answer: the observer and the seq the subscriber stands at, or what went wrong; for a refusal, its
/// status and the quota its problem names (null: none named, e.g. a rate limit's 429).
/// </summary>
internal sealed record ObserveResult(string? Observer, long Seq, string? Error, int Status = 200, string? Quota = null);
