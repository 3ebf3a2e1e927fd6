using ReactiveRest.Engine.Observers;

namespace ReactiveRest.Tests.Engine;

public sealed class CoalescingGateTests
{
    [Fact]
    public void The_first_trigger_starts_a_runner_and_a_quiet_run_lets_it_stop()
    {
        var gate = new CoalescingGate<string>();

        Assert.True(gate.Trigger("a"));
        Assert.False(gate.RunAgain("a"));
        Assert.Equal(0, gate.Running);
        Assert.True(gate.Trigger("a"));
    }

    [Fact]
    public void Triggers_during_a_run_collapse_into_exactly_one_more_run()
    {
        var gate = new CoalescingGate<string>();
        Assert.True(gate.Trigger("a"));

        Assert.False(gate.Trigger("a"));
        Assert.False(gate.Trigger("a"));
        Assert.False(gate.Trigger("a"));

        Assert.True(gate.RunAgain("a"));
        Assert.False(gate.RunAgain("a"));
    }

    [Fact]
    public void Keys_are_independent()
    {
        var gate = new CoalescingGate<string>();

        Assert.True(gate.Trigger("a"));
        Assert.True(gate.Trigger("b"));
        Assert.False(gate.Trigger("a"));

        Assert.False(gate.RunAgain("b"));
        Assert.True(gate.RunAgain("a"));
        Assert.Equal(1, gate.Running);
    }

    [Fact]
    public async Task Under_concurrency_every_trigger_is_followed_by_a_run_that_started_after_it()
    {
        // Many threads trigger while runners run; each run records the trigger count it saw when it started. The last
        // run must have started after the last trigger, and runners never overlap for one key.
        var gate = new CoalescingGate<int>();
        var triggers = 0;
        var lastSeen = -1;
        var active = 0;
        var overlaps = 0;
        var runners = new List<Task>();

        async Task RunAsync()
        {
            do
            {
                if (Interlocked.Increment(ref active) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Volatile.Write(ref lastSeen, Volatile.Read(ref triggers));
                await Task.Yield();
                Interlocked.Decrement(ref active);
            }
            while (gate.RunAgain(0));
        }

        var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                Interlocked.Increment(ref triggers);
                if (gate.Trigger(0))
                {
                    lock (runners)
                    {
                        runners.Add(RunAsync());
                    }
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        await Task.WhenAll(producers);
        Task[] started;
        lock (runners)
        {
            started = [.. runners];
        }

        await Task.WhenAll(started);
        Assert.Equal(0, overlaps);
        Assert.Equal(8000, lastSeen);
        Assert.Equal(0, gate.Running);
    }
}
