using System.Globalization;
using ReactiveRest.Benchmark.Cases;

namespace ReactiveRest.Benchmark.Reporting;

/// <summary>
/// Issue 7's goals, each judged on the raw figure (never a rounded one). A latency percentile that falls among lost
/// frames is not met.
/// </summary>
internal static class Goals
{
    private const string ToAnalyse = "to be analysed";

    public static IReadOnlyList<GoalCheck> Check(IReadOnlyList<CaseResult> results)
    {
        var checks = new List<GoalCheck>();
        var one = Find(results, "one-1");
        checks.Add(Latency(one, "1 subscriber", "p50", r => r.Latency?.P50, 5));
        checks.Add(Latency(one, "1 subscriber", "p99", r => r.Latency?.P99, 20));

        var thousand = Find(results, "one-1000");
        checks.Add(Latency(thousand, "1,000 subscribers, one query", "p50", r => r.Latency?.P50, 20));
        checks.Add(Latency(thousand, "1,000 subscribers, one query", "p99", r => r.Latency?.P99, 80));

        var spread = Find(results, "spread-1000x100");
        const string spreadName = "1,000 subscribers over 100 queries";
        checks.Add(Latency(spread, spreadName, "p50", r => r.Latency?.P50, 5));
        checks.Add(Latency(spread, spreadName, "p99", r => r.Latency?.P99, 50));
        checks.Add(Judge(spread, spreadName, "evaluations per write", "1", r => r.EvaluationsPerWrite is { } e ? (Format(e, "F2"), e <= 1.0) : null));

        var big = Find(results, "one-10000");
        const string bigName = "10,000 subscribers, one query, one observers process";
        checks.Add(Latency(big, bigName, "p99", r => r.Latency?.P99, 500));
        checks.Add(Judge(big, bigName, "lost frames", "0", r => r.Latency is { } l ? (l.Lost.ToString("N0", CultureInfo.InvariantCulture), l.Lost == 0) : null));
        checks.Add(Judge(big, bigName, "RSS per connected subscriber", "≤ 16 KiB", r => r.RssPerSubscriberKib is { } k ? (Format(k, "F1") + " KiB", k <= 16) : null));
        checks.Add(Judge(big, bigName, "time to subscribe all", "≤ 10 s", r => r.SubscribeSeconds is { } s ? (Format(s, "F1") + " s", s <= 10) : null));

        var selectivity = Find(results, "selectivity");
        checks.Add(Judge(selectivity, "3,000 observers on other boards or filters", "evaluations of unaffected observers per write", "0 (only the observers a write can affect)",
            r => r.EvaluationsPerWrite is { } e ? (Format(e, "F2"), e == 0) : null));
        checks.AddRange(NoisyNeighbour(results));
        return checks;
    }

    /// <summary>
    /// Issue 17: the victim's p99 with the noisy user at its quotas within twice its p99 without; and memory flat once the
    /// noisy user is at its quotas (the end of the noisy phase within a tenth above the reading when the quotas were reached:
    /// RSS moves with the GC by a few percent, growth with the load would not stop there).
    /// </summary>
    private static IEnumerable<GoalCheck> NoisyNeighbour(IReadOnlyList<CaseResult> results)
    {
        const string name = "noisy neighbour (issue 17)";
        const double flat = 1.10;
        var noisy = Find(results, "noisy-neighbour");
        var quiet = Find(results, "noisy-neighbour-quiet");
        yield return Judge(noisy, name, "victim's p99 with the noisy user at its quotas / without", "≤ 2×", r =>
            r.Latency is null || quiet?.Latency is null ? null
            : r.Latency.P99 is not { } noisyP99 ? ("lost (falls among lost frames)", false)
            : quiet.Latency.P99 is { } quietP99 and > 0
                ? ($"{Format(noisyP99, "F2")} ms / {Format(quietP99, "F2")} ms = {Format(noisyP99 / quietP99, "F2")}×", noisyP99 <= 2 * quietP99)
                : ("quiet p99 lost", false));
        foreach (var what in NoisyNeighbourCase.MemoryOf)
        {
            yield return Judge(noisy, name, $"{what} at the end of the noisy phase / when the quotas were reached", "≤ 1.10× (flat)", r =>
                r.Extra.TryGetValue(NoisyNeighbourCase.MemoryKey(what, NoisyNeighbourCase.AtQuotas), out var at) && at > 0
                && r.Extra.TryGetValue(NoisyNeighbourCase.MemoryKey(what, NoisyNeighbourCase.AtEnd), out var end)
                    ? ($"{Format(end, "F1")} MiB / {Format(at, "F1")} MiB = {Format(end / at, "F2")}×", end <= flat * at)
                    : null);
        }
    }

    private static CaseResult? Find(IReadOnlyList<CaseResult> results, string key) => results.FirstOrDefault(result => result.Key == key);

    private static GoalCheck Latency(CaseResult? result, string name, string percentile, Func<CaseResult, double?> value, double limitMs) =>
        Judge(result, name, percentile + " latency", $"≤ {limitMs.ToString(CultureInfo.InvariantCulture)} ms", r =>
            r.Latency is null ? null
            : value(r) is { } ms ? (Format(ms, "F2") + " ms", ms <= limitMs)
            : ("lost (falls among lost frames)", false));

    private static GoalCheck Judge(CaseResult? result, string name, string criterion, string goal, Func<CaseResult, (string Measured, bool Met)?> judge)
    {
        if (result is null || judge(result) is not { } verdict)
        {
            return new GoalCheck(name, criterion, goal, "—", null, result is null ? "case not run" : "not measured in this case");
        }

        var doubtful = result.Failed ? " (the case had problems: see below)" : "";
        return new GoalCheck(name, criterion, goal, verdict.Measured + doubtful, verdict.Met, verdict.Met ? "" : ToAnalyse);
    }

    /// <summary>Rounded up, so that a shown figure is never better than the measured one.</summary>
    public static string Format(double value, string format)
    {
        var decimals = int.Parse(format[1..], CultureInfo.InvariantCulture);
        var scale = Math.Pow(10, decimals);
        return (Math.Ceiling(value * scale) / scale).ToString(format, CultureInfo.InvariantCulture);
    }
}
