using ReactiveRest.Engine.Verification;

namespace ReactiveRest.Tests.Verification;

/// <summary>A mismatch counts only when found again at the same position after the settle time: a write not yet counted is no fault.</summary>
public sealed class MismatchSuspectsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_suspect_is_due_only_after_the_settle_time()
    {
        var suspects = new MismatchSuspects(TimeSpan.FromSeconds(3));
        var position = new VerificationPosition("i", 4, 9, "digest");
        suspects.Suspect("o", position, Start);

        Assert.Empty(suspects.Due(Start.AddSeconds(2.9), 10));
        Assert.Equal(["o"], suspects.Due(Start.AddSeconds(3), 10));
        Assert.Equal(position, suspects.PositionOf("o"));
    }

    [Fact]
    public void A_position_is_the_same_only_with_the_same_seq_changes_incarnation_and_fresh_result()
    {
        var position = new VerificationPosition("i", 4, 9, "digest");

        Assert.Equal(position, new VerificationPosition("i", 4, 9, "digest"));
        Assert.NotEqual(position, position with { Changes = 10 });
        Assert.NotEqual(position, position with { Seq = 5 });
        Assert.NotEqual(position, position with { FreshDigest = "other" });
        Assert.NotEqual(position, position with { Incarnation = "j" });
    }

    [Fact]
    public void Suspects_come_due_oldest_first_within_the_budget_and_a_cleared_one_never()
    {
        var suspects = new MismatchSuspects(TimeSpan.FromSeconds(1));
        suspects.Suspect("b", new VerificationPosition("i", 1, 1, "d"), Start.AddSeconds(1));
        suspects.Suspect("a", new VerificationPosition("i", 1, 1, "d"), Start);
        suspects.Suspect("c", new VerificationPosition("i", 1, 1, "d"), Start.AddSeconds(2));
        suspects.Clear("c");

        Assert.Equal(["a"], suspects.Due(Start.AddSeconds(5), 1));
        Assert.Equal(["a", "b"], suspects.Due(Start.AddSeconds(5), 10));
        Assert.Null(suspects.PositionOf("c"));
    }

    [Fact]
    public void A_confirmation_spends_the_same_budget_as_the_pass()
    {
        var planner = new VerificationPlanner(2);
        planner.StartPass(["a", "b", "c"]);
        planner.Elapse(TimeSpan.FromSeconds(1));

        Assert.True(planner.TrySpend());
        Assert.Equal(["a"], planner.Take());
        Assert.False(planner.TrySpend());
    }
}
