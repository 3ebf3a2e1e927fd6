using System.Diagnostics;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>
/// Brackets a case's write phase: resets the statement counters and samples CPU at its start; at its end samples again
/// and reads the statements, so CPU and SQL cover the writes and everything they caused until the last frame arrived.
/// </summary>
internal sealed class WritePhase
{
    private readonly CaseContext _context;
    private readonly UsageSample _start;

    private WritePhase(CaseContext context, UsageSample start)
    {
        _context = context;
        _start = start;
    }

    public static async Task<WritePhase> StartAsync(CaseContext context)
    {
        await context.Sql.ResetAsync(context.Cancellation);
        return new WritePhase(context, UsageSample.Take(context.Stack.Processes));
    }

    public async Task<SqlTally> EndAsync(CaseResult result, int succeededWrites)
    {
        var end = UsageSample.Take(_context.Stack.Processes);
        var sql = await _context.Sql.ReadAsync(_context.Cancellation);
        result.WritePhaseSeconds = Stopwatch.GetElapsedTime(_start.Timestamp, end.Timestamp).TotalSeconds;
        result.CpuPercent = UsageSample.CpuPercent(_start, end);
        result.Extra["postgres processes at the end"] = end.ProcessCounts.GetValueOrDefault("postgres");
        result.RssMib = end.Rss.ToDictionary(process => process.Key, process => process.Value / 1024.0 / 1024.0, StringComparer.Ordinal);
        if (succeededWrites > 0)
        {
            result.SqlPerWrite = (double)sql.Total / succeededWrites;
            result.SqlPerWriteByCategory = sql.ByCategory.ToDictionary(category => category.Key, category => (double)category.Value / succeededWrites, StringComparer.Ordinal);
        }

        result.TopSql = sql.Top;
        return sql;
    }
}
