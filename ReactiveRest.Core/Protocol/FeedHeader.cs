using System.Globalization;

namespace ReactiveRest.Engine.Protocol;

/// <summary>
/// The first line of an evaluation's messages as published to the replicas: observer, incarnation, the evaluation's
/// traceparent (or '-'), the capture time (unix ms, 0 when unknown), and the seq of the first message, which the commit
/// script appends. The messages follow, one per line (JSON never holds a raw newline).
/// </summary>
public sealed record FeedHeader(string ObserverId, string Incarnation, string? TraceParent, long CapturedAtMs, long FirstSeq)
{
    /// <summary>The header without its first seq, as the evaluator hands it to the commit script.</summary>
    public static string Format(string observerId, string incarnation, string? traceParent, DateTimeOffset? capturedAt) =>
        string.Join(' ', observerId, incarnation, string.IsNullOrEmpty(traceParent) ? "-" : traceParent,
            (capturedAt?.ToUnixTimeMilliseconds() ?? 0).ToString(CultureInfo.InvariantCulture));

    /// <summary>Splits a published payload into its header and messages; null when it is not one.</summary>
    public static (FeedHeader Header, string[] Messages)? Parse(string payload)
    {
        var lines = payload.Split('\n');
        var parts = lines[0].Split(' ');
        if (parts.Length != 5
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var capturedAt)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var firstSeq))
        {
            return null;
        }

        return (new FeedHeader(parts[0], parts[1], parts[2] == "-" ? null : parts[2], capturedAt, firstSeq), lines[1..]);
    }
}
