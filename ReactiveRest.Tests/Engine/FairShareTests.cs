using ReactiveRest.Engine.Observers;

namespace ReactiveRest.Tests.Engine;

public sealed class FairShareTests
{
    [Fact]
    public void One_user_alone_may_take_every_slot()
    {
        var share = new FairShare<string, int>(4);

        Assert.All(Enumerable.Range(0, 4), waiter => Assert.True(share.Enter("heavy", waiter)));
        Assert.False(share.Enter("heavy", 4));
        Assert.Equal(4, share.Held);
        Assert.Equal(1, share.Waiting);
    }

    [Fact]
    public void Once_another_user_waits_the_heavy_user_gets_no_more_than_its_share()
    {
        var share = new FairShare<string, string>(4);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(share.Enter("heavy", $"h{i}"));
        }

        for (var i = 4; i < 10; i++)
        {
            Assert.False(share.Enter("heavy", $"h{i}"));
        }

        Assert.False(share.Enter("light", "l0"));
        Assert.False(share.Enter("light", "l1"));

        // The heavy user holds 4 of 4 with two users active (share 2): freed slots go to the light user until the
        // heavy user is down to its share, then in turn.
        Assert.Equal(["l0"], share.Leave("heavy"));
        Assert.Equal(["l1"], share.Leave("heavy"));
        Assert.Equal(2, share.HeldBy("heavy"));
        Assert.Equal(2, share.HeldBy("light"));
        Assert.Empty(share.Leave("light"));

        // The light user is gone: the heavy user may take every slot again.
        Assert.Equal(["h4", "h5"], share.Leave("light"));
        Assert.Equal(4, share.HeldBy("heavy"));
    }

    [Fact]
    public void Waiting_users_are_served_in_turn_each_first_come_first_served()
    {
        var share = new FairShare<string, string>(1);
        Assert.True(share.Enter("a", "a0"));
        Assert.False(share.Enter("a", "a1"));
        Assert.False(share.Enter("a", "a2"));
        Assert.False(share.Enter("b", "b0"));
        Assert.False(share.Enter("b", "b1"));
        Assert.False(share.Enter("c", "c0"));

        var order = new List<string>();
        var holder = "a";
        while (share.Held > 0)
        {
            var admitted = share.Leave(holder);
            var next = Assert.Single(admitted.DefaultIfEmpty("none"));
            if (next == "none")
            {
                break;
            }

            order.Add(next);
            holder = next[..1];
        }

        Assert.Equal(["a1", "b0", "c0", "a2", "b1"], order);
    }

    [Fact]
    public void A_waiter_that_gives_up_holds_nothing_and_its_place_goes_to_the_next()
    {
        var share = new FairShare<string, string>(1);
        Assert.True(share.Enter("a", "a0"));
        Assert.False(share.Enter("b", "b0"));
        Assert.False(share.Enter("b", "b1"));

        Assert.True(share.Withdraw("b", "b0", out var admitted));
        Assert.Empty(admitted);
        Assert.Equal(["b1"], share.Leave("a"));

        // Admitted already: withdrawing is refused, the user must leave instead.
        Assert.False(share.Withdraw("b", "b1", out _));
        Assert.Empty(share.Leave("b"));
        Assert.Equal(0, share.Held);
        Assert.Equal(0, share.Waiting);
    }

    [Fact]
    public void Leaving_without_a_slot_is_a_bug_and_says_so()
    {
        var share = new FairShare<string, string>(1);
        share.Enter("a", "a0");
        share.Enter("b", "b0");

        Assert.Throws<InvalidOperationException>(() => share.Leave("b"));
        Assert.Throws<InvalidOperationException>(() => share.Leave("nobody"));
    }

    [Fact]
    public async Task Under_concurrency_no_slot_is_lost_and_no_user_holds_more_than_the_slots()
    {
        // Eight users (one heavy: half the work) take and give back slots from many threads; at the end nothing is held
        // or waiting, and the slots were never exceeded.
        const int slots = 6;
        var share = new FairShare<int, TaskCompletionSource>(slots);
        var maxHeld = 0;

        async Task WorkAsync(int user)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!share.Enter(user, waiter))
            {
                await waiter.Task;
            }

            var held = share.Held;
            InterlockedMax(ref maxHeld, held);
            await Task.Yield();
            foreach (var admitted in share.Leave(user))
            {
                admitted.SetResult();
            }
        }

        var work = Enumerable.Range(0, 2000).Select(i => Task.Run(() => WorkAsync(i % 2 == 0 ? 0 : 1 + i % 7)));
        await Task.WhenAll(work).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, share.Held);
        Assert.Equal(0, share.Waiting);
        Assert.InRange(maxHeld, 1, slots);
    }

    [Fact]
    public void No_slots_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new FairShare<string, string>(0));

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
