using System.Diagnostics;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Why an evaluation runs: the trace of the write that caused it (the evaluation's span continues it, so one write is
/// one trace from the HTTP request to the WebSocket push) and when the earliest change it covers was captured (for the
/// write-to-push latency).
/// </summary>
public readonly record struct EvaluationCause(ActivityContext Trace, DateTimeOffset? CapturedAt)
{
    public static readonly EvaluationCause None = default;

    /// <summary>Two causes of one evaluation: the first trace, the earliest capture.</summary>
    public EvaluationCause Merge(EvaluationCause other) => new(
        Trace != default ? Trace : other.Trace,
        (CapturedAt, other.CapturedAt) switch
        {
            (null, var later) => later,
            (var earlier, null) => earlier,
            var (a, b) => a < b ? a : b,
        });
}
