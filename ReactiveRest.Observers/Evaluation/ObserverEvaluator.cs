using System.Diagnostics;
using ReactiveRest.Engine.Reactive;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Evaluation;

/// <summary>
/// Brings one observer up to date: under a Redis lock (one evaluation at a time per observer, whichever replica runs
/// it), evaluate, diff against the stored result and each new subscriber's own first result, and commit the new
/// result with every subscriber's messages in one step. Loops while changes keep arriving.
/// </summary>
public sealed class ObserverEvaluator(
    ObserverStore store,
    ApiQueryEvaluator queries,
    IConnectionMultiplexer redis,
    ILogger<ObserverEvaluator> logger)
{
    private static readonly TimeSpan LockTime = TimeSpan.FromSeconds(30);

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <returns>True when changes are still pending after the lock was released, so the caller must run again.</returns>
    public async Task<bool> BringUpToDateAsync(string observerId, ActivityContext cause, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var lockKey = RedisKeys.EvaluationLock(observerId);
        var token = Guid.NewGuid().ToString("N");
        if (!await database.StringSetAsync(lockKey, token, LockTime, When.NotExists))
        {
            // Another replica is evaluating; it re-reads the change count before it lets go, so nothing is lost.
            return false;
        }

        try
        {
            // The full read (result and baselines) only when there is work; the cheap count check decides whether
            // another round is needed after each evaluation.
            while (await store.ReadAsync(observerId) is { } snapshot && snapshot.Generation > snapshot.Done)
            {
                await EvaluateAsync(snapshot, cause, cancellationToken);
                if (!await store.IsBehindAsync(observerId))
                {
                    break;
                }
            }
        }
        finally
        {
            await database.ScriptEvaluateAsync(ReleaseScript, [lockKey], [token]);
        }

        // A change counted after our last read but before the release found the lock taken and left it to us.
        return await store.IsBehindAsync(observerId);
    }

    private async Task EvaluateAsync(ObserverSnapshot snapshot, ActivityContext cause, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("evaluate observer", ActivityKind.Internal, cause);
        activity?.SetTag("reactiverest.observer", snapshot.ObserverId);
        activity?.SetTag("reactiverest.subscribers", snapshot.Subscribers.Count);

        var next = await queries.EvaluateAsync(snapshot.Url, cancellationToken);
        // One diff for every subscriber that is up to date, one per new subscriber from its own first result.
        var upToDate = snapshot.Subscribers.Where(s => s.Value == RedisKeys.UpToDate).Select(s => s.Key).ToList();
        IReadOnlyList<string> common = upToDate.Count > 0 ? ProtocolMessage.Diff(snapshot.ObserverId, snapshot.Result, next) : [];
        var own = snapshot.Subscribers
            .Where(s => s.Value != RedisKeys.UpToDate)
            .Select(s => new Delivery(s.Key, s.Value, ProtocolMessage.Diff(snapshot.ObserverId, ObservedItem.ParseArray(s.Value), next)))
            .ToList();

        if (!await store.CommitAsync(snapshot, next, common, upToDate, own))
        {
            logger.LogDebug("Observer {Observer} was dropped during its evaluation", snapshot.ObserverId);
        }

        Telemetry.Evaluations.Add(1);
        activity?.SetTag("reactiverest.messages", common.Count * upToDate.Count + own.Sum(delivery => delivery.Messages.Count));
    }
}
