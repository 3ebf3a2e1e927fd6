using System.Collections.Concurrent;
using System.Diagnostics;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Engine.Resources;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Matches captured changes to the observers they can affect (the dependency index narrows to the change's partitions;
/// the observer's own filters, checked against the row before and after, decide), counts the change on them and
/// schedules their evaluation. It handles what <see cref="ChangeStreamReader"/> reads, what the relay hands over from
/// its own batch, and entries claimed from a dead consumer.
/// </summary>
public sealed class ChangeMatcher(
    IConnectionMultiplexer redis,
    ObserverStore store,
    ResourceCatalog catalog,
    EvaluationScheduler scheduler,
    TimeProvider time) : IChangeHandler
{
    /// <summary>Definitions never change for an observer id's incarnation; parsed once.</summary>
    private readonly ConcurrentDictionary<string, ObserverQuery> _queries = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string ConsumerName => ChangeStreamReader.Name;

    /// <summary>Matches the entries' changes, schedules the evaluations they call for, and acknowledges the entries.</summary>
    public async Task HandleAsync(IReadOnlyList<StreamEntry> entries)
    {
        var affected = new Dictionary<string, EvaluationCause>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (ChangeStream.ObserverOf(entry) is { } requested)
            {
                affected[requested] = EvaluationCause.None;
                continue;
            }

            await MatchAsync(ChangeStream.RowsOf(entry), affected);
        }

        if (affected.Count > 0)
        {
            var observerIds = affected.Keys.ToList();
            var counts = await store.MarkChangedAsync(observerIds, time.GetUtcNow());
            for (var i = 0; i < observerIds.Count; i++)
            {
                if (counts[i] >= 0)
                {
                    scheduler.Trigger(observerIds[i], affected[observerIds[i]]);
                }
                else
                {
                    _queries.TryRemove(observerIds[i], out _);
                }
            }
        }

        await redis.GetDatabase().StreamAcknowledgeAsync(RedisKeys.Changes, RedisKeys.ChangesGroup, [.. entries.Select(entry => entry.Id)]);
    }

    private async Task MatchAsync(IReadOnlyList<RowChange> changes, Dictionary<string, EvaluationCause> affected)
    {
        await MatchAccessAsync(changes, affected);
        var known = changes.Where(change => catalog.Matters(change.Table)).ToList();
        if (known.Count == 0)
        {
            return;
        }

        var keys = known.SelectMany(catalog.ChangeKeys).Distinct().ToList();
        var candidates = await store.FindDependentsAsync(keys);
        await LoadQueriesAsync(candidates);
        foreach (var observerId in candidates)
        {
            if (!_queries.TryGetValue(observerId, out var query) || catalog.Find(query.Resource) is not { } resource)
            {
                continue;
            }

            foreach (var change in known)
            {
                if (resource.MayAffect(query, change))
                {
                    var cause = CauseOf(change);
                    affected[observerId] = affected.TryGetValue(observerId, out var earlier) ? earlier.Merge(cause) : cause;
                    break;
                }
            }
        }
    }

    /// <summary>A change of a user's access (a membership) affects every observer that runs as that user, whatever its query.</summary>
    private async Task MatchAccessAsync(IReadOnlyList<RowChange> changes, Dictionary<string, EvaluationCause> affected)
    {
        foreach (var change in changes)
        {
            if (catalog.AccessForTable(change.Table) is not { } access || access.ChangeKeys(change) is not { Count: > 0 } keys)
            {
                continue;
            }

            var cause = CauseOf(change);
            foreach (var observerId in await store.FindDependentsAsync(keys))
            {
                affected[observerId] = affected.TryGetValue(observerId, out var earlier) ? earlier.Merge(cause) : cause;
            }
        }
    }

    private static EvaluationCause CauseOf(RowChange change) => new(
        change.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out var context) ? context : default,
        change.CapturedAt);

    private async Task LoadQueriesAsync(IReadOnlyList<string> observerIds)
    {
        var missing = observerIds.Where(id => !_queries.ContainsKey(id)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var definitions = await store.ReadDefinitionsAsync(missing);
        for (var i = 0; i < missing.Count; i++)
        {
            if (definitions[i] is { } definition && ObserverQuery.FromDefinition(definition, catalog) is { } query)
            {
                _queries[missing[i]] = query;
            }
        }
    }
}
