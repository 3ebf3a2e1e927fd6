using ReactiveRest.Client;

namespace ReactiveRest.Tests.Clients;

/// <summary>
/// One <see cref="ReactiveClient.ObserveAsync{T}"/> enumeration running in the background, as an application runs it:
/// the newest snapshot, how many came, and a way to wait for one that satisfies a condition.
/// </summary>
internal sealed class LiveView<T> : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _running;

    public LiveView(ReactiveClient client, string path)
    {
        Path = path;
        _running = RunAsync(client);
    }

    public string Path { get; }

    public IReadOnlyList<T>? Latest { get; private set; }

    public int Snapshots { get; private set; }

    /// <summary>Completes when the enumeration ends: faulted with what it threw, canceled when stopped.</summary>
    public Task Completion => _running;

    /// <summary>The first snapshot (the newest) that satisfies <paramref name="condition"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync(Func<IReadOnlyList<T>, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (Latest is { } latest && condition(latest))
                {
                    return latest;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"{Path}: no snapshot {what ?? "as expected"} in time; the last of {Snapshots}: {(Latest is null ? "none" : string.Join(", ", Latest))}");
            }

            try
            {
                await changed.WaitAsync(left, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
            }

            if (_running.IsCompleted)
            {
                await _running;
                Assert.Fail($"{Path}: the enumeration ended before a snapshot {what ?? "as expected"}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception) when (_running.IsFaulted)
        {
            // A test that expects the failure reads it from Completion.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(ReactiveClient client)
    {
        await Task.Yield();
        try
        {
            await foreach (var snapshot in client.ObserveAsync<T>(Path, _stop.Token))
            {
                TaskCompletionSource changed;
                lock (_gate)
                {
                    Latest = snapshot;
                    Snapshots++;
                    changed = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                changed.SetResult();
            }
        }
        finally
        {
            // Wake a waiter, so that it sees the end at once.
            lock (_gate)
            {
                _changed.TrySetResult();
            }
        }
    }
}
