using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>The stack left alone: the CPU its background work takes and the statements it runs with no client.</summary>
internal static class IdleCase
{
    public static async Task<CaseResult> RunAsync(CaseContext context, IdleSpec spec)
    {
        var result = new CaseResult
        {
            Key = spec.Key,
            Title = spec.Title,
            Replicas = context.Stack.Observers.Count,
            Subscribers = 0,
            Observers = 0,
            Writes = 0,
            WritePattern = "none",
        };

        context.Progress($"{spec.Title}: {spec.Duration.TotalSeconds:F0} s without clients");
        var phase = await WritePhase.StartAsync(context);
        await Task.Delay(spec.Duration, context.Cancellation);
        var sql = await phase.EndAsync(result, 0);
        result.Extra["sqlStatementsPerSecond"] = sql.Total / result.WritePhaseSeconds;
        context.Progress($"{spec.Title}: CPU " + string.Join(", ", result.CpuPercent!.Select(process => $"{process.Key} {process.Value:F0} %")));
        return result;
    }
}
