using System.Collections.Concurrent;
using System.Diagnostics;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Observers.Evaluation;

/// <summary>
/// Runs observer evaluations in the background as changes come: at most one runner per observer in this process,
/// changes during a run coalesce into one more run, and a failed run (API or Redis down) is retried.
/// </summary>
public sealed class EvaluationScheduler(ObserverEvaluator evaluator, ILogger<EvaluationScheduler> logger, IHostApplicationLifetime lifetime)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly CoalescingGate<string> _gate = new();
    private readonly ConcurrentDictionary<string, ActivityContext> _causes = new();

    public void Trigger(string observerId, ActivityContext cause = default)
    {
        if (cause != default)
        {
            _causes[observerId] = cause;
        }

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
                if (await evaluator.BringUpToDateAsync(observerId, cause, stopping))
                {
                    _gate.Trigger(observerId);
                }
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Evaluating observer {Observer} failed; retrying in {Delay}", observerId, RetryDelay);
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
