using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Runs observers' queries against the database, coalescing those of one shape that are due at the same time into one
/// statement (<see cref="BatchedQuery"/>): when one write makes 100 users' observers of a board due, the first query
/// runs at once and the 99 that arrive meanwhile run as one. No delay is added to wait for company.
/// </summary>
public sealed class EvaluationBatcher(
    ResourceCatalog catalog,
    ReactiveDatabase database,
    IOptions<JsonOptions> json,
    IOptions<ReactiveOptions> options,
    ReactiveMetrics metrics)
{
    /// <summary>Bounds one statement's work; more observers of a shape due at once run as several statements.</summary>
    public const int MaxBatch = 100;

    private readonly BatchQueue<string, Pending> _queue = new(MaxBatch);

    /// <summary>The query's result, and how many observers the statement that computed it evaluated.</summary>
    public async Task<(IReadOnlyList<ObservedItem> Items, int BatchSize)> EvaluateAsync(ObserverQuery query, CancellationToken cancellationToken)
    {
        var resource = catalog.Find(query.Resource)!;
        if (resource.BatchMemberOf(query) is not { } member)
        {
            metrics.EvaluationQueryRan(1);
            return (await database.RunAsync(db => resource.EvaluateAsync(db, query, json.Value.SerializerOptions, cancellationToken)), 1);
        }

        var pending = new Pending(query, member);
        if (_queue.Add(member.Shape.Key, pending) is { } batch)
        {
            _ = RunAsync(resource, member.Shape.Key, batch);
        }

        return await pending.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(IReactiveResource resource, string shapeKey, IReadOnlyList<Pending> batch)
    {
        for (var next = batch; next is not null; next = _queue.Completed(shapeKey))
        {
            try
            {
                // Not any one caller's cancellation: the others still want the result.
                using var timeout = new CancellationTokenSource(options.Value.EvaluationTimeout);
                var results = await RunOneAsync(resource, next, timeout.Token);
                metrics.EvaluationQueryRan(next.Count);
                for (var i = 0; i < next.Count; i++)
                {
                    next[i].Result.TrySetResult((results[i], next.Count));
                }
            }
            catch (Exception exception)
            {
                foreach (var pending in next)
                {
                    pending.Result.TrySetException(exception);
                }
            }
        }
    }

    private Task<IReadOnlyList<IReadOnlyList<ObservedItem>>> RunOneAsync(IReactiveResource resource, IReadOnlyList<Pending> batch, CancellationToken cancellationToken)
    {
        var serializer = json.Value.SerializerOptions;
        return batch.Count == 1
            ? database.RunAsync<IReadOnlyList<IReadOnlyList<ObservedItem>>>(async db => [await resource.EvaluateAsync(db, batch[0].Query, serializer, cancellationToken)])
            : database.RunAsync(db => resource.EvaluateBatchAsync(db, batch[0].Member.Shape, [.. batch.Select(pending => pending.Member)], serializer, cancellationToken));
    }

    private sealed record Pending(ObserverQuery Query, BatchMember Member)
    {
        public TaskCompletionSource<(IReadOnlyList<ObservedItem>, int)> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
