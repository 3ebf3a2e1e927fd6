using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// The <c>ReactiveRest</c> meter (docs/operations.md explains each instrument and its healthy values). Created through
/// <see cref="IMeterFactory"/>, so each host (and each in-process test host) has its own meter, disposed with it.
/// Nothing here is recorded per socket per message: counters take a batch's count, histograms one value per batch.
/// No instrument carries a subscriber or observer id, which would make a series per client.
/// </summary>
public sealed class ReactiveMetrics
{
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        // From a millisecond (an evaluation of a small query) to ten seconds (a stalled pipeline).
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10],
    };

    private readonly Counter<long> _evaluations;
    private readonly Histogram<double> _evaluationDuration;
    private readonly Counter<long> _queries;
    private readonly Histogram<long> _batchSize;
    private readonly Counter<long> _batchFailures;
    private readonly Counter<long> _soloLanes;
    private readonly Counter<long> _fairShareWaits;
    private readonly Counter<long> _changesRelayed;
    private readonly Counter<long> _messagesSent;
    private readonly Histogram<double> _writeToPush;
    private readonly Counter<long> _resyncs;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _verificationMismatches;
    private readonly Histogram<double> _verificationDuration;
    private readonly UpDownCounter<long> _sockets;
    private readonly Counter<long> _quotaRefusals;
    private IReplicaGauges? _replica;

    public ReactiveMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Telemetry.Name);
        _evaluations = meter.CreateCounter<long>(
            "reactiverest.evaluations", "{evaluation}", "Observer evaluations run by this process (query, diff, commit)");
        _evaluationDuration = meter.CreateHistogram(
            "reactiverest.evaluation.duration", "s", "Time to evaluate an observer's query, diff it and commit its messages", advice: SecondsBuckets);
        _queries = meter.CreateCounter<long>(
            "reactiverest.evaluation.queries", "{query}", "Database queries run for evaluations; one query evaluates a batch of observers of one shape");
        _batchSize = meter.CreateHistogram(
            "reactiverest.evaluation.batch_size", "{observer}", "Observers evaluated by one database query",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100] });
        _batchFailures = meter.CreateCounter<long>(
            "reactiverest.evaluation.batch_failures", "{statement}",
            "Statements shared by a batch of observers that failed or ran past Reactive:BatchStatementTimeout; their members ran again alone");
        _soloLanes = meter.CreateCounter<long>(
            "reactiverest.evaluation.solo_lanes", "{observer}",
            "Observers moved into their own lane (evaluated alone, never batched) for holding their batches back repeatedly");
        _fairShareWaits = meter.CreateCounter<long>(
            "reactiverest.evaluation.fair_share_waits", "{evaluation}",
            "Evaluations that waited for a slot because every slot, or their user's fair share of them, was taken");
        _changesRelayed = meter.CreateCounter<long>(
            "reactiverest.changes.relayed", "{change}", "Row changes relayed from PostgreSQL to the Redis change stream");
        _messagesSent = meter.CreateCounter<long>(
            "reactiverest.messages.sent", "{message}", "Protocol messages sent to subscribers on WebSockets");
        _writeToPush = meter.CreateHistogram(
            "reactiverest.write_to_push.duration", "s",
            "From a change's capture in its write's transaction to the send of the frames it caused, one value per socket's batch of frames",
            advice: SecondsBuckets);
        _resyncs = meter.CreateCounter<long>(
            "reactiverest.resyncs", "{resync}", "Subscriber backlogs replaced by one resync run to the current result");
        _expired = meter.CreateCounter<long>(
            "reactiverest.subscriptions.expired", "{subscription}", "Subscriptions a client was told to observe again (expired)");
        _verifications = meter.CreateCounter<long>(
            "reactiverest.verifications", "{verification}",
            "Observers whose stored result was compared with a fresh evaluation (tagged reactiverest.outcome: match, suspected, mismatch, skipped)");
        _verificationMismatches = meter.CreateCounter<long>(
            "reactiverest.verification.mismatches", "{mismatch}",
            "Verifications that found an observer's stored result different from a fresh evaluation; each was repaired with a resync run");
        _verificationDuration = meter.CreateHistogram(
            "reactiverest.verification.duration", "s",
            "Time one verification held its observer: the fresh query, the comparison and any repair", advice: SecondsBuckets);
        _sockets = meter.CreateUpDownCounter<long>(
            "reactiverest.sockets", "{socket}", "Open subscriber WebSockets on this replica");
        _quotaRefusals = meter.CreateCounter<long>(
            "reactiverest.quota.refusals", "{refusal}",
            "Requests refused because their user was at a quota (tagged reactiverest.quota: observers, subscribers, sockets, stored_bytes)");
        meter.CreateObservableGauge(
            "reactiverest.subscribers", () => Observe(replica => replica.Subscribers), "{subscriber}", "Subscribers connected to this replica");
        meter.CreateObservableGauge(
            "reactiverest.observers.followed", () => Observe(replica => replica.FollowedObservers), "{observer}",
            "Observers whose messages this replica delivers to its subscribers");
        meter.CreateObservableGauge(
            "reactiverest.observers.evaluating", () => Observe(replica => replica.EvaluatingObservers), "{observer}",
            "Observers this replica is evaluating or has queued for evaluation");
        meter.CreateObservableGauge(
            "reactiverest.subscriber.backlog.max", () => Observe(replica => replica.LargestBacklog), "{message}",
            "The most messages one subscription on this replica has waiting to be sent");
    }

    /// <summary>Where the replica gauges read their values; only an observers replica has them.</summary>
    public void ObserveReplica(IReplicaGauges replica) => _replica = replica;

    public void EvaluationCompleted(long startedTimestamp)
    {
        _evaluations.Add(1);
        _evaluationDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
    }

    public void EvaluationQueryRan(int observers)
    {
        _queries.Add(1);
        _batchSize.Record(observers);
    }

    /// <param name="reason"><c>timeout</c> or <c>error</c>.</param>
    public void BatchStatementFailed(string reason) => _batchFailures.Add(1, new KeyValuePair<string, object?>("reactiverest.reason", reason));

    public void SoloLaneOpened() => _soloLanes.Add(1);

    public void FairShareWaited() => _fairShareWaits.Add(1);

    public void ChangesRelayed(int count) => _changesRelayed.Add(count);

    /// <summary>One socket sent a batch of frames: <paramref name="capturedAtMs"/> is the earliest capture among them, 0 if none had one.</summary>
    public void BatchSent(int messages, long capturedAtMs, long nowMs)
    {
        if (messages > 0)
        {
            _messagesSent.Add(messages);
        }

        if (capturedAtMs > 0)
        {
            _writeToPush.Record(Math.Max(0, nowMs - capturedAtMs) / 1000.0);
        }
    }

    public void Resynced() => _resyncs.Add(1);

    /// <param name="outcome">
    /// <c>match</c>; <c>suspected</c> (a difference found once, checked again before it counts); <c>mismatch</c>
    /// (confirmed and repaired); or <c>skipped</c> (busy, not quiet, or gone).
    /// </param>
    public void Verified(string outcome, long startedTimestamp)
    {
        _verifications.Add(1, new KeyValuePair<string, object?>("reactiverest.outcome", outcome));
        if (outcome != "skipped")
        {
            _verificationDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
        }

        if (outcome == "mismatch")
        {
            _verificationMismatches.Add(1);
        }
    }

    public void Expired(string reason) => _expired.Add(1, new KeyValuePair<string, object?>("reactiverest.reason", reason));

    public void QuotaRefused(string quota) => _quotaRefusals.Add(1, new KeyValuePair<string, object?>("reactiverest.quota", quota));

    public void SocketOpened() => _sockets.Add(1);

    public void SocketClosed() => _sockets.Add(-1);

    private IEnumerable<Measurement<long>> Observe(Func<IReplicaGauges, long> read) =>
        _replica is { } replica ? [new Measurement<long>(read(replica))] : [];
}
