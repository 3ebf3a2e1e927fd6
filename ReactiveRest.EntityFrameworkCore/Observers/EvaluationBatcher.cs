using System.Runtime.CompilerServices;
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
public sealed class EvaluationBatcher(
    ResourceCatalog catalog,
    ReactiveDatabase database,
    IOptions<ResourceJsonOptions> json,
    IOptions<ReactiveOptions> options,
    ReactiveMetrics metrics)
{
    /// <summary>Bounds one statement's work; more observers of a shape due at once run as several statements.</summary>
    public const int MaxBatch = 100;

    private readonly BatchQueue<string, Pending> _queue = new(MaxBatch);

    /// <summary>
    /// Each observer's place in a batch, worked out once: the evaluator keeps one <see cref="ObserverQuery"/> per
    /// observer, and its shape never changes.
    /// </summary>
    private readonly ConditionalWeakTable<ObserverQuery, StrongBox<BatchMember?>> _members = new();

    /// <summary>The query's result, and how many observers the statement that computed it evaluated.</summary>
    public async Task<(IReadOnlyList<ObservedItem> Items, int BatchSize)> EvaluateAsync(ObserverQuery query, CancellationToken cancellationToken)
    {
        var resource = catalog.Find(query.Resource)!;
        var member = _members.GetValue(query, observed => new StrongBox<BatchMember?>(resource.BatchMemberOf(observed))).Value;
        var pending = new Pending(query, member);
        if (member is null)
        {
            await RunBatchAsync(resource, [pending]);
        }
        else if (_queue.Add(member.Shape.Key, pending) is { } batch)
        {
            await RunLaneAsync(resource, member.Shape.Key, batch);
        }

        return await pending.Result.Task.WaitAsync(cancellationToken);
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

    /// <summary>One statement for the batch; every member gets its result, or the statement's error. Never throws.</summary>
    private async Task RunBatchAsync(IReactiveResource resource, IReadOnlyList<Pending> batch)
    {
        try
        {
            // Not any one caller's cancellation: the others still want the result.
            using var timeout = new CancellationTokenSource(options.Value.EvaluationTimeout);
            var serializer = json.Value.SerializerOptions;
            var results = batch.Count == 1
                ? [await database.RunAsync(db => resource.EvaluateAsync(db, batch[0].Query, serializer, timeout.Token))]
                : await database.RunAsync(db => resource.EvaluateBatchAsync(db, batch[0].Member!.Shape, [.. batch.Select(pending => pending.Member!)], serializer, timeout.Token));
            metrics.EvaluationQueryRan(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult((results[i], batch.Count));
            }
        }
        catch (Exception exception)
        {
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(exception);
            }
        }
    }

    private sealed record Pending(ObserverQuery Query, BatchMember? Member)
    {
        public TaskCompletionSource<(IReadOnlyList<ObservedItem>, int)> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
