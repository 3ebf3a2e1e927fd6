namespace ReactiveRest.Benchmark.Measuring;

/// <summary>
/// Percentiles (nearest rank) of the latencies of one case, in milliseconds. Frames that never arrived count as
/// infinitely late, so a percentile that falls among them is reported as null ("lost"), never as the last frame seen.
/// </summary>
internal sealed record LatencySummary(int Received, int Lost, double? P50, double? P90, double? P99, double? Max, double? Min)
{
    public static LatencySummary Of(List<double> received, int lost)
    {
        received.Sort();
        var total = received.Count + lost;
        double? At(double percentile)
        {
            if (total == 0)
            {
                return null;
            }

            var rank = (int)Math.Ceiling(percentile / 100 * total);
            var index = Math.Max(rank, 1) - 1;
            return index < received.Count ? received[index] : null;
        }

        return new LatencySummary(
            received.Count,
            lost,
            At(50),
            At(90),
            At(99),
            total == 0 || lost > 0 ? null : received[^1],
            received.Count == 0 ? null : received[0]);
    }
}
