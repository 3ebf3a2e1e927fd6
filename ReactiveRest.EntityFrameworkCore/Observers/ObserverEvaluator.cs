using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Engine.Verification;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Brings one observer up to date: under its Redis lock (one evaluation at a time per observer, whichever process runs
/// it), evaluates its query in-process against the database, diffs against the stored result and commits the result
/// with its numbered messages in one step fenced by the lock token, so a stalled evaluation can never overwrite a newer
/// one. Loops while changes keep arriving; the last commit releases the lock atomically.
/// </summary>
public sealed class ObserverEvaluator(
    ObserverStore store,
    ResourceCatalog catalog,
    EvaluationBatcher batcher,
    IOptions<ReactiveOptions> options,
    ReactiveMetrics metrics,
    Quotas.StoredBytesRecorder storedBytes,
    ILogger<ObserverEvaluator> logger)
{
    /// <summary>Definitions and results this process evaluated last, so the lock's read sends them only when they changed.</summary>
    private readonly ConcurrentDictionary<string, CachedObserver> _cache = new();

    /// <summary>
    /// Evaluates the observer until it covers every change counted. With <paramref name="subscriberId"/>, the first
    /// commit also subscribes that subscriber at the committed seq (an observe GET whose own read was out of date).
    /// </summary>
    public async Task<EvaluationOutcome> BringUpToDateAsync(string observerId, EvaluationCause cause, CancellationToken cancellationToken, string? subscriberId = null)
    {
        var token = Guid.NewGuid().ToString("N");
        var cached = _cache.GetValueOrDefault(observerId);
        var acquired = await store.AcquireAsync(observerId, token, cached?.Incarnation, cached?.Seq ?? -1);
        if (acquired.Status != AcquireStatus.Acquired)
        {
            if (acquired.Status == AcquireStatus.Gone)
            {
                _cache.TryRemove(observerId, out _);
            }

            return new EvaluationOutcome(acquired.Status == AcquireStatus.Gone ? EvaluationStatus.Gone : EvaluationStatus.Busy, 0, [], "");
        }

        if (acquired.Changes <= acquired.Evaluated && subscriberId is null)
        {
            // Nothing counted since the last evaluation (a repeated trigger): no query, no commit.
            await store.ReleaseAsync(observerId, token);
            return new EvaluationOutcome(EvaluationStatus.UpToDate, acquired.Seq, [], acquired.Incarnation);
        }

        using var lease = new LockLease(store, observerId, token, options.Value, cancellationToken);
        try
        {
            var observer = Refresh(observerId, cached, acquired);
            if (observer is null)
            {
                logger.LogWarning("Observer {Observer} has a definition this version cannot read; it is left alone", observerId);
                await store.ReleaseAsync(observerId, token);
                return new EvaluationOutcome(EvaluationStatus.Gone, 0, [], "");
            }

            return await EvaluateUntilCoveredAsync(observer, token, acquired.Changes, cause, subscriberId, lease.Token);
        }
        catch
        {
            await store.ReleaseAsync(observerId, token);
            throw;
        }
    }

    /// <summary>Evaluates and commits under the lock held with <paramref name="token"/> until no change is left uncovered; the last commit releases it.</summary>
    private async Task<EvaluationOutcome> EvaluateUntilCoveredAsync(
        CachedObserver observer, string token, long covered, EvaluationCause cause, string? subscriberId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var committed = await EvaluateOnceAsync(observer, token, covered, cause, subscriberId, cancellationToken);
            if (committed is null)
            {
                _cache.TryRemove(observer.Id, out _);
                return new EvaluationOutcome(EvaluationStatus.Fenced, 0, [], "");
            }

            (observer, var result) = committed.Value;
            _cache[observer.Id] = observer;
            if (!result.Behind)
            {
                return new EvaluationOutcome(EvaluationStatus.UpToDate, result.Seq, observer.Result, observer.Incarnation);
            }

            // Changes arrived during the evaluation: the lock is still ours, go again (once for all of them). A
            // subscriber being subscribed is subscribed again at each commit, so it ends at the result returned.
            covered = await store.ChangesAsync(observer.Id);
        }
    }

    /// <summary>
    /// Verifies a quiet observer (every change counted is evaluated): reads its stored result, digest and position (seq,
    /// changes counted, incarnation) in one step, evaluates its query afresh, and reads the position again; only when it
    /// did not move (nothing committed, no change counted) is the comparison made, so it is at a known position without
    /// holding the observer's lock through the query (an evaluation is never kept waiting by a verification). The
    /// comparison checks the stored text's own digest as well as the stored digest (<see cref="VerificationCheck"/>).
    /// A mismatch confirmed at the position it was suspected at is repaired under the lock, at that very position: the
    /// fresh result is stored and a resync run from what subscribers hold to it is committed to the log, which every
    /// replica delivers to every subscriber like any other messages; no subscription is touched.
    /// </summary>
    /// <param name="suspected">
    /// Where a previous verification found a mismatch (see <see cref="MismatchSuspects"/>): only a mismatch found again at
    /// exactly that position is repaired; any other is reported as suspected, to be confirmed later.
    /// </param>
    public async Task<VerificationOutcome> VerifyAsync(string observerId, VerificationPosition? suspected, CancellationToken cancellationToken)
    {
        var stored = await store.ReadForVerificationAsync(observerId);
        if (stored is null || stored.Changes > stored.Evaluated)
        {
            // Gone, or not quiet: its evaluation is due and will bring it up to date.
            return VerificationOutcome.Skipped;
        }

        var cached = _cache.GetValueOrDefault(observerId);
        var query = ObserverQuery.FromDefinition(stored.Definition, catalog) ?? cached?.Query;
        if (query is null || catalog.Find(query.Resource)?.PollInterval is not null)
        {
            // A definition this version cannot read (evaluations leave it alone too), or a polled resource, whose changes
            // are announced by no one: its result may lag by up to its poll interval by design, and each poll is a fresh
            // evaluation already.
            return VerificationOutcome.Skipped;
        }

        using var activity = Telemetry.Source.StartActivity("verify observer", ActivityKind.Internal);
        activity?.SetTag("reactiverest.observer", observerId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.EvaluationTimeout);
        var (fresh, _) = await batcher.EvaluateAsync(query, timeout.Token);
        if (await store.ReadPositionAsync(observerId) != (stored.Seq, stored.Changes, stored.Incarnation))
        {
            // It moved while the query ran: not a known position. The next pass sees it again.
            return VerificationOutcome.Skipped;
        }

        var current = cached is not null && cached.Incarnation == stored.Incarnation && cached.Seq == stored.Seq ? cached : null;
        var sent = current?.Result ?? await SnapshotAtAsync(observerId, stored.Seq);
        var verdict = VerificationCheck.Check(observerId, stored.Seq, stored.ResultJson, stored.Digest, sent, fresh);
        activity?.SetTag("reactiverest.verification.match", verdict.Matches);
        if (verdict.Matches)
        {
            return new VerificationOutcome(VerificationStatus.Match, query.Url, stored.Seq, stored.Seq, verdict);
        }

        var position = new VerificationPosition(stored.Incarnation, stored.Seq, stored.Changes, verdict.FreshDigest);
        if (position != suspected)
        {
            // Found once: perhaps a write not counted yet. Confirmed, and repaired, only if found again unchanged.
            return new VerificationOutcome(VerificationStatus.Suspected, query.Url, stored.Seq, stored.Seq, verdict) { Position = position };
        }

        // Confirmed: the repair, under the lock, only if the observer still stands exactly where it was verified.
        var token = Guid.NewGuid().ToString("N");
        var acquired = await store.AcquireAsync(observerId, token, null, -1);
        if (acquired.Status != AcquireStatus.Acquired)
        {
            return VerificationOutcome.Skipped;
        }

        using var lease = new LockLease(store, observerId, token, options.Value, cancellationToken);
        try
        {
            if (acquired.Seq != stored.Seq || acquired.Changes != stored.Changes || acquired.Incarnation != stored.Incarnation)
            {
                await store.ReleaseAsync(observerId, token);
                return VerificationOutcome.Skipped;
            }

            var freshJson = ObservedItem.ToJsonArray(fresh);
            var header = FeedHeader.Format(observerId, stored.Incarnation, activity?.Id, null);
            var repaired = await store.RepairAsync(observerId, token, stored.Incarnation, stored.Seq, freshJson, verdict.FreshDigest, header, verdict.Run);
            if (!repaired.Committed)
            {
                _cache.TryRemove(observerId, out _);
                return new VerificationOutcome(VerificationStatus.Fenced, query.Url, stored.Seq, stored.Seq, verdict);
            }

            var observer = new CachedObserver(observerId, stored.Incarnation, query, repaired.Seq, fresh, freshJson, verdict.FreshDigest);
            _cache[observerId] = observer;
            await RecordStoredBytesAsync(observer, freshJson);
            if (repaired.Behind)
            {
                // Changes were counted while the repair held the lock: as any holder must, evaluate them now, from the repaired result.
                await EvaluateUntilCoveredAsync(observer, token, await store.ChangesAsync(observerId), EvaluationCause.None, null, lease.Token);
            }

            return new VerificationOutcome(VerificationStatus.Repaired, query.Url, stored.Seq, repaired.Seq, verdict);
        }
        catch
        {
            await store.ReleaseAsync(observerId, token);
            throw;
        }
    }

    /// <summary>The list kept for subscribers that started or stopped at <paramref name="seq"/>, if one was: what was sent there.</summary>
    private async Task<IReadOnlyList<ObservedItem>?> SnapshotAtAsync(string observerId, long seq)
    {
        if (await store.ReadSnapshotAsync(observerId, seq) is not { } snapshot)
        {
            return null;
        }

        try
        {
            return ObservedItem.ParseArray(snapshot);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task<(CachedObserver Observer, CommitResult Result)?> EvaluateOnceAsync(
        CachedObserver observer, string token, long covered, EvaluationCause cause, string? subscriberId, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("evaluate observer", ActivityKind.Internal, cause.Trace);
        activity?.SetTag("reactiverest.observer", observer.Id);
        var started = Stopwatch.GetTimestamp();

        var (next, batchSize) = await batcher.EvaluateAsync(observer.Query, cancellationToken);
        activity?.SetTag("reactiverest.batch_size", batchSize);
        var messages = ProtocolMessage.Diff(observer.Id, observer.Result, next, observer.Seq + 1);
        var resultJson = messages.Count == 0 ? observer.ResultJson : ObservedItem.ToJsonArray(next);
        var digest = messages.Count == 0 ? observer.Digest : ResultDigest.Of(resultJson);
        var header = FeedHeader.Format(observer.Id, observer.Incarnation, activity?.Id, cause.CapturedAt);

        var result = await store.AppendToLogAsync(observer.Id, token,
            new Commit(observer.Incarnation, observer.Seq, covered, resultJson, digest, header, Release: true, subscriberId, messages));
        metrics.EvaluationCompleted(started);
        activity?.SetTag("reactiverest.messages", messages.Count);
        if (!result.Committed)
        {
            logger.LogInformation("The evaluation of observer {Observer} lost its lock before committing; its result was discarded", observer.Id);
            return null;
        }

        if (messages.Count > 0)
        {
            await RecordStoredBytesAsync(observer, resultJson);
        }

        return (observer with { Seq = result.Seq, Result = next, ResultJson = resultJson, Digest = digest }, result);
    }

    /// <summary>The result's size counts for its user's quota; the commit stands whatever happens here.</summary>
    private async Task RecordStoredBytesAsync(CachedObserver observer, string resultJson)
    {
        try
        {
            await storedBytes.RecordAsync(observer.Query.Principal, observer.Id, resultJson);
        }
        catch (StackExchange.Redis.RedisException exception)
        {
            logger.LogDebug(exception, "Could not record the stored size of observer {Observer}; the next evaluation will", observer.Id);
        }
    }

    private CachedObserver? Refresh(string observerId, CachedObserver? cached, AcquireResult acquired)
    {
        var query = acquired.Definition is { } definition ? ObserverQuery.FromDefinition(definition, catalog) : cached?.Query;
        if (query is null)
        {
            return null;
        }

        if (acquired.ResultJson is { } resultJson)
        {
            return new CachedObserver(observerId, acquired.Incarnation, query, acquired.Seq, ObservedItem.ParseArray(resultJson), resultJson, ResultDigest.Of(resultJson));
        }

        return cached! with { Query = query };
    }

    /// <summary>Forgets what this process cached of an observer that was dropped.</summary>
    public void Forget(string observerId) => _cache.TryRemove(observerId, out _);

    private sealed record CachedObserver(string Id, string Incarnation, ObserverQuery Query, long Seq, IReadOnlyList<ObservedItem> Result, string ResultJson, string Digest);

    /// <summary>Keeps the lock while the evaluation runs; cancels the evaluation if the lock is lost or it runs too long.</summary>
    private sealed class LockLease : IDisposable
    {
        private readonly CancellationTokenSource _cancellation;
        private readonly Timer _timer;

        public LockLease(ObserverStore store, string observerId, string token, ReactiveOptions options, CancellationToken outer)
        {
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(outer);
            _cancellation.CancelAfter(options.EvaluationTimeout);
            var period = options.EvaluationLockTime / 3;
            _timer = new Timer(async _ =>
            {
                try
                {
                    if (!await store.ExtendAsync(observerId, token))
                    {
                        await _cancellation.CancelAsync();
                    }
                }
                catch (Exception)
                {
                    // Redis is away: the commit's fence decides whether the result may still be stored.
                }
            }, null, period, period);
        }

        public CancellationToken Token => _cancellation.Token;

        public void Dispose()
        {
            _timer.Dispose();
            _cancellation.Dispose();
        }
    }
}

public enum EvaluationStatus
{
    /// <summary>Every change counted is covered; the lock is released.</summary>
    UpToDate,

    /// <summary>Another evaluation holds the observer; it covers the changes counted before it lets go.</summary>
    Busy,

    /// <summary>The observer no longer exists.</summary>
    Gone,

    /// <summary>The lock was lost before the commit; nothing was stored.</summary>
    Fenced,
}

public enum VerificationStatus
{
    /// <summary>Not verified: the observer was busy, had changes not evaluated yet, or is gone.</summary>
    Skipped,

    /// <summary>The stored result is the fresh one.</summary>
    Match,

    /// <summary>They differed, for the first time at this position: nothing was changed; a later verification confirms it or not.</summary>
    Suspected,

    /// <summary>They differed; the fresh result was stored and the resync run committed.</summary>
    Repaired,

    /// <summary>They differed, but the lock was lost before the repair; the next verification or evaluation sees it again.</summary>
    Fenced,
}

/// <summary>A verification's end: the query's URL, the seq verified and the seq the repair brought the observer to.</summary>
public sealed record VerificationOutcome(VerificationStatus Status, string Url, long VerifiedSeq, long Seq, VerificationVerdict? Verdict)
{
    /// <summary>Where a suspected mismatch was found, for its confirmation.</summary>
    public VerificationPosition? Position { get; init; }

    public static readonly VerificationOutcome Skipped = new(VerificationStatus.Skipped, "", 0, 0, null);
}

/// <summary>An evaluation's end: the observer's seq, result and incarnation when it is up to date.</summary>
public sealed record EvaluationOutcome(EvaluationStatus Status, long Seq, IReadOnlyList<ObservedItem> Result, string Incarnation);
