using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// The evaluations a process runs at once (<see cref="ReactiveOptions.MaxConcurrentEvaluations"/>), shared fairly
/// between users by <see cref="FairShare{TUser,TWaiter}"/>: an evaluation holds a slot from before its query until
/// its result, and one waiting for a slot wakes when it is its user's turn.
/// </summary>
public sealed class EvaluationSlots(int slots, ReactiveMetrics metrics)
{
    private readonly FairShare<string, TaskCompletionSource> _share = new(slots);

    /// <summary>Slots taken now.</summary>
    public int Held => _share.Held;

    /// <summary>Takes a slot for the user; completes at once (synchronously) when one is free within its share.</summary>
    public Task EnterAsync(string user, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_share.Enter(user, waiter))
        {
            return Task.CompletedTask;
        }

        metrics.FairShareWaited();
        return WaitAsync(user, waiter, cancellationToken);
    }

    /// <summary>Gives back a slot taken by <see cref="EnterAsync"/>.</summary>
    public void Leave(string user) => Wake(_share.Leave(user));

    private async Task WaitAsync(string user, TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            if (_share.Withdraw(user, waiter, out var admitted))
            {
                Wake(admitted);
            }
            else
            {
                // Admitted as it gave up: the slot is ours to give back.
                Leave(user);
            }

            throw;
        }
    }

    private static void Wake(IReadOnlyList<TaskCompletionSource> admitted)
    {
        foreach (var waiter in admitted)
        {
            waiter.TrySetResult();
        }
    }
}
