namespace ReactiveRest.Benchmark.Clients;

/// <summary>One PATCH: its HTTP status (0 when no answer came), Stopwatch timestamps, and the error body if any.</summary>
internal sealed record WriteResult(int Status, long Sent, long Answered, string? Error)
{
    public bool Succeeded => Status is >= 200 and < 300;
}
