using System.Collections.Concurrent;
using System.Diagnostics;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Engine.Resources;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Evaluation;

/// <summary>
/// Reads captured changes from the change stream as one consumer of the observers' group (each entry reaches one
/// replica), finds the observers each change can affect (the dependency index narrows to the change's partitions; the
/// observer's own filters, checked against the row before and after, decide), counts the change on them and schedules
/// their evaluation. Woken by pub/sub; a one-second safety net covers a lost wake-up.
/// </summary>
public sealed class ChangeConsumer(
    IConnectionMultiplexer redis,
    ObserverStore store,
    ResourceCatalog catalog,
    EvaluationScheduler scheduler,
    TimeProvider time,
    ILogger<ChangeConsumer> logger) : BackgroundService, IChangeHandler
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Definitions never change for an observer id's incarnation; parsed once.</summary>
    private readonly ConcurrentDictionary<string, ObserverQuery> _queries = new(StringComparer.Ordinal);

    /// <summary>This process's name in the consumer group.</summary>
    public static readonly string Name = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public string ConsumerName => Name;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.ChangesWake), (_, _) => WakeOnce());
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var entries = await redis.GetDatabase().StreamReadGroupAsync(
                    RedisKeys.Changes, RedisKeys.ChangesGroup, Name, StreamPosition.NewMessages, count: 100);
                failures = 0;
                if (entries.Length == 0)
                {
                    await _wake.WaitAsync(SafetyNet, stoppingToken);
                    continue;
                }

                await HandleAsync(entries);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis lost its data: the group goes with it.
                await EnsureGroupAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (failures++ == 0)
                {
                    logger.LogWarning(exception, "Reading changes failed; retrying every {Delay}", SafetyNet);
                }

                await Task.Delay(SafetyNet, stoppingToken);
            }
        }
    }

    /// <summary>Handles entries and acknowledges them; also used for entries claimed from a dead consumer.</summary>
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

    /// <summary>One pending wake-up is enough: the next read takes everything there is.</summary>
    private void WakeOnce()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(RedisKeys.Changes, RedisKeys.ChangesGroup, "0-0", createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica created it first.
        }
    }
}
