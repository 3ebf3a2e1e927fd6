using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ReactiveRest.Tests.Diffing;

public sealed class OrderedDiffProperties
{
    [Property(MaxTest = 2000)]
    public Property Random_small_lists_are_diffed_by_the_contract() =>
        Prop.ForAll(DiffGenerators.SmallLists(), diffCase => { DiffContract.Verify(diffCase); });

    [Property(MaxTest = 1000)]
    public Property Large_lists_with_few_edits_are_diffed_by_the_contract() =>
        Prop.ForAll(DiffGenerators.LargeListsWithFewEdits(), list => { DiffContract.Verify(list.ToCase()); });

    [Property(MaxTest = 1000)]
    public Property Inserts_deletes_and_data_changes_cost_exactly_the_minimal_messages() =>
        Prop.ForAll(DiffGenerators.EditsWithoutMoves(), list => AssertMinimal(list.ToCase()));

    [Property(MaxTest = 1000)]
    public Property One_move_among_deletes_and_data_changes_costs_exactly_the_minimal_messages() =>
        Prop.ForAll(DiffGenerators.OneMoveWithDeletesAndDataChanges(), list => AssertMinimal(list.ToCase()));

    private static void AssertMinimal(DiffCase diffCase) =>
        Assert.Equal(DiffContract.MinimalMessageCount(diffCase), DiffContract.Verify(diffCase).Count);
}
