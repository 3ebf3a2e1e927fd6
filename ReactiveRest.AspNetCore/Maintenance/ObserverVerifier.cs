using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Verification;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Maintenance;

/// <summary>
/// Verifies what the observers maintain, on every observers replica: round-robin over all observers, at most
/// <see cref="ReactiveOptions.VerificationsPerSecond"/> (a budget never saved up beyond one second's worth), one at a
/// time. A mismatch is repaired once found twice at the same position, <see cref="SettlePeriod"/> apart (see
/// <see cref="MismatchSuspects"/>). Only quiet observers are verified (every change counted is evaluated; one with changes pending is skipped, its
/// evaluation is due anyway). Each verification is <see cref="ObserverEvaluator.VerifyAsync"/>: a fresh evaluation compared with the stored result at a known position,
/// a mismatch repaired under the observer's lock with a resync run to every subscriber, counted and logged at Warning.
/// </summary>
internal sealed class ObserverVerifier(
    ObserverStore observers,
    ObserverEvaluator evaluator,
    ReactiveMetrics metrics,
    IOptions<ReactiveOptions> options,
    ILogger<ObserverVerifier> logger) : BackgroundService
{
    /// <summary>
    /// How long a mismatch found once waits before it is checked again, so a write not yet counted is not taken for
    /// a fault: a change reaches its observers in milliseconds, this is that with a wide margin for a loaded machine.
    /// </summary>
    public static readonly TimeSpan SettlePeriod = TimeSpan.FromSeconds(3);

    private readonly MismatchSuspects _suspects = new(SettlePeriod);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var perSecond = options.Value.VerificationsPerSecond;
        if (perSecond <= 0)
        {
            return;
        }

        // A tick per verification at the configured rate, within reason: the planner's budget does the bounding.
        var tick = TimeSpan.FromSeconds(Math.Clamp(1 / perSecond, 0.05, 1));
        var planner = new VerificationPlanner(perSecond);
        using var timer = new PeriodicTimer(tick);
        var last = Stopwatch.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            planner.Elapse(Stopwatch.GetElapsedTime(last));
            last = Stopwatch.GetTimestamp();
            if (planner.Budget < 1)
            {
                continue;
            }

            try
            {
                // Confirmations first: each settles a mismatch found earlier.
                foreach (var observerId in _suspects.Due(DateTimeOffset.UtcNow, (int)planner.Budget))
                {
                    if (planner.TrySpend())
                    {
                        await VerifyAsync(observerId, stoppingToken);
                    }
                }

                if (planner.NeedsPass)
                {
                    planner.StartPass((await observers.AllObserversAsync()).Keys, Random.Shared.Next());
                }

                foreach (var observerId in planner.Take())
                {
                    // A suspect is checked again when its settle time has passed, not before.
                    if (_suspects.PositionOf(observerId) is null)
                    {
                        await VerifyAsync(observerId, stoppingToken);
                    }
                }
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                logger.LogDebug(exception, "Verification paused: Redis is unreachable");
            }
        }
    }

    private async Task VerifyAsync(string observerId, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        VerificationOutcome outcome;
        try
        {
            outcome = await evaluator.VerifyAsync(observerId, _suspects.PositionOf(observerId), stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            if (exception is RedisException or TimeoutException)
            {
                throw;
            }

            // A query that fails or times out here fails for its evaluations too, which report it.
            logger.LogDebug(exception, "The verification of observer {Observer} failed", observerId);
            metrics.Verified("skipped", started);
            _suspects.Clear(observerId);
            return;
        }

        switch (outcome.Status)
        {
            case VerificationStatus.Skipped:
                // Busy, with changes to evaluate, or gone: a suspicion, if any, is settled by the evaluation.
                _suspects.Clear(observerId);
                metrics.Verified("skipped", started);
                break;
            case VerificationStatus.Match:
                _suspects.Clear(observerId);
                metrics.Verified("match", started);
                break;
            case VerificationStatus.Suspected:
                _suspects.Suspect(observerId, outcome.Position!, DateTimeOffset.UtcNow);
                metrics.Verified("suspected", started);
                logger.LogDebug("Observer {Observer} differs from a fresh evaluation at seq {Seq}; checked again in {Settle}", observerId, outcome.VerifiedSeq, SettlePeriod);
                break;
            default:
                _suspects.Clear(observerId);
                metrics.Verified("mismatch", started);
                var verdict = outcome.Verdict!;
                logger.LogWarning(
                    "Verification mismatch on observer {Observer} ({Url}) at seq {Seq}: stored digest {StoredDigest}, digest of the stored result {StoredResultDigest}, fresh digest {FreshDigest}; {Repair}",
                    observerId, outcome.Url, outcome.VerifiedSeq, verdict.StoredDigest, verdict.StoredResultDigest, verdict.FreshDigest,
                    outcome.Status == VerificationStatus.Repaired
                        ? $"repaired with a resync run of {verdict.Run.Count} message(s) from the {verdict.Basis.ToString().ToLowerInvariant()} result, now at seq {outcome.Seq}"
                        : "the lock was lost before the repair; the next verification sees it again");
                break;
        }
    }
}
