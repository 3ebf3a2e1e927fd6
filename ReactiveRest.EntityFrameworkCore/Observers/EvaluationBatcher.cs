using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Runs observers' queries against the database, coalescing those of one shape that are due at the same time into one
/// statement (<see cref="BatchedQuery"/>): when one write makes 100 users' observers of a board due, the first query
/// runs at once and the 99 that arrive meanwhile run as one. No delay is added to wait for company, and a query that
/// starts a batch runs it on its own call (no hand-off to another thread for the common case of a batch of one).
/// </summary>
/// <remarks>
/// Sharing must not let one member hold back the others: a shared statement has its own time limit
/// (<see cref="ReactiveOptions.BatchStatementTimeout"/>), and when it fails or runs out each member runs again alone, so
/// only the culprit is late or fails. A member that keeps doing so gets its own lane (<see cref="SoloLanes{TKey}"/>).
/// Evaluations take slots shared fairly between users (<see cref="EvaluationSlots"/>).
/// </remarks>
public sealed class EvaluationBatcher(
    ResourceCatalog catalog,
    ReactiveDatabase database,
    IOptions<ResourceJsonOptions> json,
    IOptions<ReactiveOptions> options,
    ReactiveMetrics metrics,
    ILogger<EvaluationBatcher> logger)
{
    /// <summary>Bounds one statement's work; more observers of a shape due at once run as several statements.</summary>
    public const int MaxBatch = 100;

    /// <summary>
    /// Statements a failed batch's members rerun on at once: enough that a culprit or two cannot hold up the rest, few
    /// enough that a batch timing out on a saturated database does not answer it with 100 statements at once.
    /// </summary>
    public const int RerunParallelism = 8;

    /// <summary>Times a member may hold its batch back within <see cref="StrikeWindow"/> before it gets its own lane.</summary>
    public const int SoloLaneStrikes = 3;

    public static readonly TimeSpan StrikeWindow = TimeSpan.FromMinutes(10);

    /// <summary>How long an observer in its own lane must run without being slow or failing to join batches again.</summary>
    public static readonly TimeSpan SoloLaneQuiet = TimeSpan.FromMinutes(10);

    private readonly BatchQueue<string, Pending> _queue = new(MaxBatch);
    private readonly SoloLanes<string> _lanes = new(SoloLaneStrikes, StrikeWindow, SoloLaneQuiet);
    private readonly EvaluationSlots _slots = new(options.Value.MaxConcurrentEvaluations, metrics);

    /// <summary>
    /// Each observer's place in a batch and its lane key, worked out once: the evaluator keeps one
    /// <see cref="ObserverQuery"/> per observer, and neither ever changes.
    /// </summary>
    private readonly ConditionalWeakTable<ObserverQuery, Place> _places = new();

    /// <summary>Observers in their own lane now.</summary>
    public int SoloLanes => _lanes.Alone(DateTimeOffset.UtcNow);

    /// <summary>Evaluation slots taken now.</summary>
    public int SlotsHeld => _slots.Held;

    /// <summary>The query's result, and how many observers the statement that computed it evaluated.</summary>
    public async Task<(IReadOnlyList<ObservedItem> Items, int BatchSize)> EvaluateAsync(ObserverQuery query, CancellationToken cancellationToken)
    {
        var resource = catalog.Find(query.Resource)!;
        var (member, laneKey) = _places.GetValue(query, observed => new Place(resource.BatchMemberOf(observed), LaneKey(observed)));
        var pending = new Pending(query, member, laneKey);
        await _slots.EnterAsync(query.Principal, cancellationToken);
        try
        {
            if (member is null || _lanes.IsAlone(pending.LaneKey, DateTimeOffset.UtcNow))
            {
                await RunAloneAsync(resource, pending, soloLane: member is not null);
            }
            else if (_queue.Add(member.Shape.Key, pending) is { } batch)
            {
                await RunLaneAsync(resource, member.Shape.Key, batch);
            }

            return await pending.Result.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _slots.Leave(query.Principal);
        }
    }

    /// <summary>Runs a batch, then hands what waited meanwhile to the thread pool, so this caller returns with its own result.</summary>
    private async Task RunLaneAsync(IReactiveResource resource, string shapeKey, IReadOnlyList<Pending> batch)
    {
        await RunBatchAsync(resource, batch);
        if (_queue.Completed(shapeKey) is { } next)
        {
            _ = Task.Run(() => RunLaneAsync(resource, shapeKey, next));
        }
    }

    /// <summary>
    /// One statement for the batch, within the batch time limit; every member gets its result, or, when the statement
    /// fails or runs out, runs again alone. Returns once the shared statement ended, so the members' second runs do not
    /// hold up the next batch of the shape. Never throws.
    /// </summary>
    private async Task RunBatchAsync(IReactiveResource resource, IReadOnlyList<Pending> batch)
    {
        if (batch.Count == 1)
        {
            await RunAloneAsync(resource, batch[0], soloLane: false);
            return;
        }

        // Not any one caller's cancellation: the others still want the result.
        using var timeout = new CancellationTokenSource(options.Value.BatchStatementTimeout);
        try
        {
            var serializer = json.Value.SerializerOptions;
            var results = await database.RunAsync(db => resource.EvaluateBatchAsync(db, batch[0].Member!.Shape, [.. batch.Select(pending => pending.Member!)], serializer, timeout.Token));
            metrics.EvaluationQueryRan(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult((results[i], batch.Count));
            }
        }
        catch (Exception exception)
        {
            var timedOut = timeout.IsCancellationRequested;
            metrics.BatchStatementFailed(timedOut ? "timeout" : "error");
            logger.LogDebug(exception, "A statement shared by {Count} observers {Outcome}; each runs again alone", batch.Count, timedOut ? "ran out of time" : "failed");
            _ = RetryAloneAsync(resource, batch);
        }
    }

    /// <summary>
    /// Each member of a failed batch on its own statement, <see cref="RerunParallelism"/> at once, each answered as soon
    /// as its own ends. Those that fail or are slow again while another member was not are the culprits: each takes a
    /// strike.
    /// </summary>
    private async Task RetryAloneAsync(IReactiveResource resource, IReadOnlyList<Pending> batch)
    {
        var held = new bool[batch.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, batch.Count),
            new ParallelOptions { MaxDegreeOfParallelism = RerunParallelism },
            async (index, _) => held[index] = await RunAloneAsync(resource, batch[index], soloLane: false));
        if (held.All(slowOrFailed => slowOrFailed))
        {
            // Every member alike: the database, not a member, is the trouble.
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (held[i])
            {
                Strike(batch[i]);
            }
        }
    }

    /// <summary>
    /// One statement for one query (<see cref="ReactiveOptions.EvaluationTimeout"/>); the query gets its result or the
    /// error. True when it failed or took longer than a batch may. Never throws.
    /// </summary>
    /// <param name="soloLane">The query has its own lane: a slow or failed run keeps it there longer.</param>
    private async Task<bool> RunAloneAsync(IReactiveResource resource, Pending pending, bool soloLane)
    {
        var started = Stopwatch.GetTimestamp();
        bool held;
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.EvaluationTimeout);
            var result = await database.RunAsync(db => resource.EvaluateAsync(db, pending.Query, json.Value.SerializerOptions, timeout.Token));
            metrics.EvaluationQueryRan(1);
            held = Stopwatch.GetElapsedTime(started) > options.Value.BatchStatementTimeout;
            pending.Result.TrySetResult((result, 1));
        }
        catch (Exception exception)
        {
            held = true;
            pending.Result.TrySetException(exception);
        }

        if (held && soloLane)
        {
            Strike(pending);
        }

        return held;
    }

    private void Strike(Pending pending)
    {
        if (_lanes.Strike(pending.LaneKey, DateTimeOffset.UtcNow))
        {
            metrics.SoloLaneOpened();
            logger.LogWarning(
                "Observer {Observer} ({Query}) held back the statements it shared {Strikes} times within {Window}; it is evaluated alone until it runs {Quiet} without being slow or failing",
                pending.Query.ObserverIdWith(options.Value.ObserverIdSecret), pending.Query.Url, SoloLaneStrikes, StrikeWindow, SoloLaneQuiet);
        }
    }

    /// <summary>An observer's identity without the id secret: its user and canonical GET, length-prefixed like the id's.</summary>
    private static string LaneKey(ObserverQuery query) => $"{query.Principal.Length}:{query.Principal}\n{query.Url}";

    private sealed record Place(BatchMember? Member, string LaneKey);

    private sealed record Pending(ObserverQuery Query, BatchMember? Member, string LaneKey)
    {
        public TaskCompletionSource<(IReadOnlyList<ObservedItem>, int)> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
