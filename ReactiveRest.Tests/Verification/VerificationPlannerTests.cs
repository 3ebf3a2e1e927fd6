using ReactiveRest.Engine.Verification;

namespace ReactiveRest.Tests.Verification;

/// <summary>What a replica verifies next: round-robin, at a bounded rate, never saving up more than a second's worth.</summary>
public sealed class VerificationPlannerTests
{
    [Fact]
    public void Verifications_never_outrun_the_rate()
    {
        var planner = new VerificationPlanner(5);
        planner.StartPass([.. Enumerable.Range(0, 100).Select(i => $"o{i:D3}")]);

        var taken = 0;
        for (var tick = 0; tick < 50; tick++)
        {
            planner.Elapse(TimeSpan.FromMilliseconds(100));
            taken += planner.Take().Count;
        }

        // Five seconds at five a second.
        Assert.InRange(taken, 24, 25);
    }

    [Fact]
    public void A_long_pause_saves_up_one_second_of_budget_at_most()
    {
        var planner = new VerificationPlanner(5);
        planner.StartPass([.. Enumerable.Range(0, 100).Select(i => $"o{i:D3}")]);

        planner.Elapse(TimeSpan.FromMinutes(10));

        Assert.Equal(5, planner.Take().Count);
        Assert.Empty(planner.Take());
    }

    [Fact]
    public void A_rate_below_one_a_second_still_verifies_at_that_rate()
    {
        var planner = new VerificationPlanner(0.5);
        planner.StartPass(["a", "b"]);

        planner.Elapse(TimeSpan.FromSeconds(1));
        Assert.Empty(planner.Take());
        planner.Elapse(TimeSpan.FromSeconds(1));
        Assert.Equal(["a"], planner.Take());
    }

    [Fact]
    public void A_pass_visits_every_observer_once_from_a_rotating_start_then_asks_for_the_next()
    {
        var planner = new VerificationPlanner(100);
        planner.StartPass(["c", "a", "b", "a"], offset: 1);
        planner.Elapse(TimeSpan.FromSeconds(1));

        Assert.Equal(["b", "c", "a"], planner.Take());
        Assert.True(planner.NeedsPass);
    }

    [Fact]
    public void Zero_disables_verification()
    {
        var planner = new VerificationPlanner(0);
        planner.StartPass(["a"]);
        planner.Elapse(TimeSpan.FromHours(1));

        Assert.Empty(planner.Take());
    }
}
