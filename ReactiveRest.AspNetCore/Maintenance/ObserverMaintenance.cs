using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Engine.Subscribers;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Maintenance;

/// <summary>
/// The periodic work that keeps the shared state bounded and self-healing, run by every replica (each step is safe to
/// run concurrently): this replica's liveness, the grace period of subscribers of dead replicas, the end of
/// subscribers gone past their grace period, observers left behind by a crash or an outage, polls due, and change
/// entries a dead replica left unacknowledged.
/// </summary>
internal sealed class ObserverMaintenance(
    IConnectionMultiplexer redis,
    ObserverStore observers,
    SubscriberStore subscribers,
    SubscriptionService subscriptions,
    ReplicaRegistry replicas,
    ResourceCatalog catalog,
    EvaluationScheduler scheduler,
    ChangeMatcher matcher,
    SessionRegistry sessions,
    StuckSessionSweep stuckSessions,
    SessionReassertion reassertion,
    FeedCatchUp feedCatchUp,
    IOptions<ReactiveOptions> options,
    TimeProvider time,
    ILogger<ObserverMaintenance> logger) : BackgroundService
{
    /// <summary>A live consumer handles a change entry in milliseconds; one unacknowledged this long was left by a dead replica.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PendingFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FeedCheckPeriod = TimeSpan.FromSeconds(5);
    private int _failures;
    private DateTimeOffset _lastFeedCheck;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Alive before the first connection is accepted.
        await replicas.RenewAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MaintenancePeriod, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync();
                if (Interlocked.Exchange(ref _failures, 0) > 0)
                {
                    logger.LogInformation("Observer maintenance works again");
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (Interlocked.Increment(ref _failures) == 1)
                {
                    logger.LogWarning(exception, "Observer maintenance failed; retrying every {Period}", options.Value.MaintenancePeriod);
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await replicas.LeaveAsync();
        }
        catch (RedisException)
        {
            // Its key expires by itself.
        }
    }

    private async Task RunOnceAsync()
    {
        stuckSessions.Sweep();
        if (!await replicas.RenewAsync())
        {
            logger.LogInformation("This replica's liveness key was gone (Redis restarted or was away); asserting its {Count} connections again", sessions.Count);
            await reassertion.ReassertAsync();
        }

        await replicas.ReapDeadAsync();
        await EndDueSubscribersAsync();

        foreach (var observerId in await observers.PendingSinceAsync(time.GetUtcNow() - PendingFor))
        {
            scheduler.Trigger(observerId);
        }

        // A poll is a change no key announces: counted like one, so the evaluation runs.
        var polls = await observers.ClaimDuePollsAsync(time.GetUtcNow(), PollIntervalOf);
        var counts = await observers.MarkChangedAsync(polls, time.GetUtcNow());
        for (var i = 0; i < polls.Count; i++)
        {
            if (counts[i] >= 0)
            {
                scheduler.Trigger(polls[i]);
            }
        }

        await ClaimAbandonedChangesAsync();

        if (time.GetUtcNow() - _lastFeedCheck > FeedCheckPeriod)
        {
            _lastFeedCheck = time.GetUtcNow();
            await feedCatchUp.CatchUpAsync();
        }
    }

    private async Task ClaimAbandonedChangesAsync()
    {
        try
        {
            var claimed = await redis.GetDatabase().StreamAutoClaimAsync(
                RedisKeys.Changes, RedisKeys.ChangesGroup, ChangeStreamReader.Name, (long)AbandonedAfter.TotalMilliseconds, "0-0", 100);
            if (claimed.ClaimedEntries.Length > 0)
            {
                await matcher.HandleAsync(claimed.ClaimedEntries);
            }
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // Redis lost its data; the change stream reader creates the group again, and nothing of the old one is left to claim.
        }
    }

    /// <summary>Subscribers past their deadline are ended, unless a live replica serves them after all.</summary>
    private async Task EndDueSubscribersAsync()
    {
        var ended = 0;
        foreach (var subscriberId in await subscribers.DueAsync(500))
        {
            var replica = await subscribers.ReplicaOfAsync(subscriberId);
            if (replica.Length > 0 && await replicas.IsAliveAsync(replica))
            {
                await subscribers.NotDueAsync(subscriberId);
            }
            else if (await subscriptions.EndSubscriberAsync(subscriberId, replica))
            {
                ended++;
            }
        }

        if (ended > 0)
        {
            logger.LogInformation("Ended the subscriptions of {Count} subscribers gone past the grace period", ended);
        }
    }

    private TimeSpan? PollIntervalOf(string definition) =>
        ObserverQuery.FromDefinition(definition, catalog) is { } query ? catalog.Find(query.Resource)?.PollInterval : null;
}
