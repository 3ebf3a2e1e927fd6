using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>Everything measured in one case; what was not measured stays null.</summary>
internal sealed class CaseResult
{
    public required string Key { get; init; }

    public required string Title { get; init; }

    public required int Replicas { get; init; }

    public required int Subscribers { get; init; }

    public required int Observers { get; init; }

    public required int Writes { get; init; }

    public required string WritePattern { get; init; }

    /// <summary>From each PATCH's answer at the client to the arrival of its frame (or, polling, of the first poll showing it).</summary>
    public LatencySummary? Latency { get; set; }

    /// <summary>
    /// The same frames timed from the moment each PATCH was sent (an upper bound: it adds the write's own round trip).
    /// Reported beside <see cref="Latency"/> because a busy client can read a PATCH's answer late, which shortens that figure.
    /// </summary>
    public LatencySummary? LatencyFromSent { get; set; }

    /// <summary>Frames that were read before their PATCH's answer was (a negative latency).</summary>
    public int FramesBeforeAnswer { get; set; }

    /// <summary>Per subscriber: opening its WebSocket, and its observe GET(s).</summary>
    public LatencySummary? ConnectTimes { get; set; }

    public LatencySummary? ObserveTimes { get; set; }

    /// <summary>The PATCHes' own round trips, from sending to the whole answer.</summary>
    public LatencySummary? WriteRoundTrip { get; set; }

    /// <summary>The first subscriber's latency per write, in write order (null: its frame did not arrive), to see outliers in time.</summary>
    public double?[]? FirstSubscriberLatencies { get; set; }

    public long ExpectedFrames { get; set; }

    public double? EvaluationsPerWrite { get; set; }

    public double? SqlPerWrite { get; set; }

    public Dictionary<string, double>? SqlPerWriteByCategory { get; set; }

    public IReadOnlyList<SqlStatement>? TopSql { get; set; }

    /// <summary>(RSS of the observers processes with the subscribers connected − before they connected) / subscribers, in KiB.</summary>
    public double? RssPerSubscriberKib { get; set; }

    public double? SubscribeSeconds { get; set; }

    /// <summary>From the warm-up write's answer until every subscriber had its frame: all subscriptions attached and delivering.</summary>
    public double? WarmUpSeconds { get; set; }

    public double WritePhaseSeconds { get; set; }

    /// <summary>CPU during the write phase (first write until the last frame or the deadline), % of one core.</summary>
    public Dictionary<string, double>? CpuPercent { get; set; }

    /// <summary>CPU while the subscribers connected and observed (from the first connection to the last observe GET's answer), % of one core.</summary>
    public Dictionary<string, double>? SubscribeCpuPercent { get; set; }

    /// <summary>Resident memory at the end of the write phase, MiB.</summary>
    public Dictionary<string, double>? RssMib { get; set; }

    public int WriteErrors { get; set; }

    public int SubscribeErrors { get; set; }

    public int Duplicates { get; set; }

    public int Expired { get; set; }

    public int SeqAnomalies { get; set; }

    /// <summary>Timeouts, errors and anything else that makes the figures doubtful, in words.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Figures particular to a case (burst throughput, evaluations by group, polls...).</summary>
    public Dictionary<string, double> Extra { get; } = new(StringComparer.Ordinal);

    /// <summary>Lost frames, timeouts or errors: the run did not work as it should.</summary>
    public bool Failed => (Latency?.Lost ?? 0) > 0 || Problems.Count > 0 || WriteErrors > 0 || SubscribeErrors > 0 || SeqAnomalies > 0 || Expired > 0;
}
