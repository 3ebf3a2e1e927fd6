namespace ReactiveRest.Benchmark.Stack;

/// <summary>One replica of a service, reached directly on the port its process listens on (not through Aspire's proxy).</summary>
internal sealed record ServiceEndpoint(string ResourceId, int Pid, Uri BaseAddress);
