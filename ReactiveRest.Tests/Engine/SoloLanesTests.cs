using ReactiveRest.Engine.Observers;

namespace ReactiveRest.Tests.Engine;

public sealed class SoloLanesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(5);

    [Fact]
    public void The_third_strike_within_the_window_gives_its_own_lane_and_only_that_one_says_so()
    {
        var lanes = new SoloLanes<string>(3, Window, Quiet);

        Assert.False(lanes.Strike("slow", Start));
        Assert.False(lanes.Strike("slow", Start.AddMinutes(1)));
        Assert.False(lanes.IsAlone("slow", Start.AddMinutes(1)));
        Assert.True(lanes.Strike("slow", Start.AddMinutes(2)));

        Assert.True(lanes.IsAlone("slow", Start.AddMinutes(2)));
        Assert.False(lanes.Strike("slow", Start.AddMinutes(3)));
        Assert.False(lanes.IsAlone("other", Start.AddMinutes(3)));
        Assert.Equal(1, lanes.Alone(Start.AddMinutes(3)));
    }

    [Fact]
    public void Strikes_older_than_the_window_do_not_count()
    {
        var lanes = new SoloLanes<string>(3, Window, Quiet);

        lanes.Strike("a", Start);
        lanes.Strike("a", Start.AddMinutes(6));
        // The first has left the window: two strikes count, not three.
        Assert.False(lanes.Strike("a", Start.AddMinutes(11)));
        Assert.False(lanes.IsAlone("a", Start.AddMinutes(11)));
        Assert.True(lanes.Strike("a", Start.AddMinutes(12)));
    }

    [Fact]
    public void A_lane_ends_after_the_quiet_period_and_a_strike_in_it_starts_the_period_again()
    {
        var lanes = new SoloLanes<string>(2, Window, Quiet);
        lanes.Strike("a", Start);
        Assert.True(lanes.Strike("a", Start));

        // Slow again while alone at minute 4: the quiet period runs from there.
        Assert.False(lanes.Strike("a", Start.AddMinutes(4)));
        Assert.True(lanes.IsAlone("a", Start.AddMinutes(8)));
        Assert.False(lanes.IsAlone("a", Start.AddMinutes(9)));

        // Back in batches with a clean record: one strike is not enough to leave again.
        Assert.False(lanes.Strike("a", Start.AddMinutes(10)));
        Assert.False(lanes.IsAlone("a", Start.AddMinutes(10)));
        Assert.Equal(0, lanes.Alone(Start.AddMinutes(10)));
    }

    [Fact]
    public void Old_keys_are_forgotten_so_memory_stays_bounded()
    {
        var lanes = new SoloLanes<int>(3, Window, Quiet);
        for (var key = 0; key < 10_000; key++)
        {
            // Each key strikes once, a minute after the previous one: only the last ten minutes' keys matter.
            lanes.Strike(key, Start.AddMinutes(key));
        }

        Assert.True(lanes.Remembered < 100, $"{lanes.Remembered} keys remembered");
    }

    [Fact]
    public async Task Concurrent_strikes_open_a_lane_exactly_once()
    {
        var lanes = new SoloLanes<string>(3, Window, Quiet);
        var opened = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (lanes.Strike("a", Start))
                {
                    Interlocked.Increment(ref opened);
                }
            }
        })));

        Assert.Equal(1, opened);
        Assert.True(lanes.IsAlone("a", Start));
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoloLanes<string>(0, Window, Quiet));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoloLanes<string>(1, TimeSpan.Zero, Quiet));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoloLanes<string>(1, Window, TimeSpan.Zero));
    }
}
