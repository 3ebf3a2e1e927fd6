using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ReactiveRest.Tests.Diffing;

public sealed class EmissionPlanTests
{
    [Property(MaxTest = 2000)]
    public Property The_pull_fallback_always_rebuilds_the_result_with_at_most_one_message_per_item() =>
        Prop.ForAll(DiffGenerators.SmallLists(), diffCase =>
        {
            var plans = EmissionPlans.For(diffCase);
            var pulled = plans.Pulled();

            Assert.Equal(diffCase.Next, plans.Applied(pulled));
            Assert.Equal(pulled.Count, pulled.Distinct().Count());
        });

    [Property(MaxTest = 1000)]
    public Property The_pull_fallback_rebuilds_large_edited_lists() =>
        Prop.ForAll(DiffGenerators.LargeListsWithFewEdits(), list =>
        {
            var plans = EmissionPlans.For(list.ToCase());

            Assert.Equal(plans.Case.Next, plans.Applied(plans.Pulled()));
        });

    [Property(MaxTest = 2000)]
    public Property A_plan_when_found_rebuilds_the_result_and_sends_every_non_stayer_once() =>
        Prop.ForAll(DiffGenerators.SmallLists(), diffCase =>
        {
            var plans = EmissionPlans.For(diffCase);
            if (plans.Planned() is not { } planned)
            {
                return;
            }

            Assert.Equal(diffCase.Next, plans.Applied(planned));
            Assert.Equal(planned.Count, planned.Distinct().Count());
            Assert.All(
                Enumerable.Range(0, diffCase.Next.Length).Where(target => !plans.IsStayer[target]),
                target => Assert.Contains(target, planned));
        });

    [Fact]
    public void The_planner_rarely_gives_up_to_the_fallback()
    {
        var random = new Random(11);
        var gaveUp = 0;
        const int cases = 2000;
        for (var i = 0; i < cases; i++)
        {
            var versions = Enumerable.Range(0, 16).Select(_ => random.Next(4)).ToArray();
            DiffItem[] Pick(int dataChange) => [.. Enumerable.Range(0, 16)
                .Where(_ => random.Next(2) == 0)
                .OrderBy(_ => random.Next())
                .Select(key => new DiffItem(key, versions[key] + (random.Next(4) == 0 ? dataChange : 0)))];
            gaveUp += EmissionPlans.For(new DiffCase(Pick(0), Pick(1))).Planned() is null ? 1 : 0;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"planner gave up on {gaveUp}/{cases} random small lists");
        Assert.InRange(gaveUp, 0, cases / 100);
    }
}
