using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Observers;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Runs observer evaluations in the background as changes come: at most one runner per observer in this process,
/// changes during a run coalesce into one more run, and a failed run (database or Redis away) is retried.
/// </summary>
public sealed class EvaluationScheduler(
    ObserverEvaluator evaluator,
    ObserverStore store,
    ILogger<EvaluationScheduler> logger,
    IHostApplicationLifetime lifetime)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly CoalescingGate<string> _gate = new();
    private readonly ConcurrentDictionary<string, EvaluationCause> _causes = new(StringComparer.Ordinal);
    private int _failures;

    /// <summary>How many observers are being evaluated now.</summary>
    public int Running => _gate.Running;

    /// <summary>Evaluates the observer soon: at once, or after the run in progress (changes meanwhile make one more run).</summary>
    /// <param name="cause">What asked for it, merged with the causes of the changes waiting for the same run.</param>
    public void Trigger(string observerId, EvaluationCause cause = default)
    {
        _causes.AddOrUpdate(observerId, cause, (_, earlier) => earlier.Merge(cause));
        if (_gate.Trigger(observerId))
        {
            _ = Task.Run(() => RunAsync(observerId));
        }
    }

    private async Task RunAsync(string observerId)
    {
        var stopping = lifetime.ApplicationStopping;
        do
        {
            _causes.TryRemove(observerId, out var cause);
            try
            {
                var outcome = await evaluator.BringUpToDateAsync(observerId, cause, stopping);
                switch (outcome.Status)
                {
                    case EvaluationStatus.UpToDate:
                        await store.ClearPendingAsync(observerId);
                        Interlocked.Exchange(ref _failures, 0);
                        break;
                    case EvaluationStatus.Fenced:
                        _ = RetryLaterAsync(observerId, stopping);
                        break;
                }
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                // One warning per outage, not one per observer per second.
                if (Interlocked.Increment(ref _failures) == 1)
                {
                    logger.LogWarning(exception, "Evaluating observer {Observer} failed; retrying every {Delay}", observerId, RetryDelay);
                }

                _ = RetryLaterAsync(observerId, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (_gate.RunAgain(observerId));
    }

    private async Task RetryLaterAsync(string observerId, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(RetryDelay, stopping);
            Trigger(observerId);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
