using ReactiveRest.Benchmark.Clients;
using ReactiveRest.Benchmark.Measuring;
using ReactiveRest.Benchmark.Stack;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>What a case runs against: the stack, a client of its API, its statement counter, and where progress goes.</summary>
internal sealed record CaseContext(AppStack Stack, ApiClient Api, SqlStatements Sql, int Number, TextWriter Log, CancellationToken Cancellation)
{
    /// <summary>How long after the last write's answer frames may still arrive before the missing ones count as lost.</summary>
    public static readonly TimeSpan DeliveryDeadline = TimeSpan.FromSeconds(10);

    /// <summary>The prefix of every title this case writes, unique in the run.</summary>
    public string Prefix => $"c{Number}w";

    public void Progress(string message) => Log.WriteLine($"  [{DateTime.UtcNow:HH:mm:ss}] {message}");
}
