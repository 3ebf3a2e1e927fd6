namespace ReactiveRest.Benchmark.Reporting;

/// <summary>One goal of issue 7 against what was measured: met, not met, or not measured (null).</summary>
internal sealed record GoalCheck(string Case, string Criterion, string Goal, string Measured, bool? Met, string Explanation)
{
    public string Verdict => Met switch
    {
        true => "met",
        false => "not met",
        null => "not measured",
    };
}
