using System.Diagnostics;
using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Tests.Diffing;

public sealed class OrderedDiffTests
{
    private static readonly DiffItem A = new(1, 0), B = new(2, 0), C = new(3, 0), M1 = new(11, 0), M2 = new(12, 0);

    [Fact]
    public void Empty_to_list_adds_every_item_at_its_index()
    {
        var changes = DiffContract.Verify(new DiffCase([], [A, B, C]));

        Assert.Equal([Added(0, A), Added(1, B), Added(2, C)], changes);
    }

    [Fact]
    public void List_to_empty_removes_every_item_at_its_previous_index()
    {
        var changes = DiffContract.Verify(new DiffCase([A, B, C], []));

        Assert.Equal([Removed(0, A), Removed(1, B), Removed(2, C)], changes);
    }

    [Fact]
    public void Identical_lists_need_no_message()
    {
        var items = Items(1000);

        Assert.Empty(DiffContract.Verify(new DiffCase(items, [.. items])));
        Assert.Empty(DiffContract.Verify(new DiffCase([], [])));
    }

    [Fact]
    public void Items_moving_past_stayers_are_sent_in_an_order_that_rebuilds_the_result()
    {
        // Ascending order would send M1 first: [M2,A,B,M1] -> [M2,M1,A,B] -> [M1,A,B,M2].
        var changes = DiffContract.Verify(new DiffCase([M2, A, B, M1], [A, M1, B, M2]));

        Assert.Equal([Changed(3, M2), Changed(1, M1)], changes);
    }

    [Fact]
    public void Moving_the_first_of_1000_items_to_the_end_is_one_message()
    {
        var previous = Items(1000);
        DiffItem[] next = [.. previous.Skip(1), previous[0]];

        Assert.Equal([Changed(999, previous[0])], DiffContract.Verify(new DiffCase(previous, next)));
    }

    [Fact]
    public void Moving_the_last_of_1000_items_to_the_front_is_one_message()
    {
        var previous = Items(1000);
        DiffItem[] next = [previous[^1], .. previous.SkipLast(1)];

        Assert.Equal([Changed(0, previous[^1])], DiffContract.Verify(new DiffCase(previous, next)));
    }

    [Fact]
    public void A_data_change_in_place_is_one_changed_message_at_its_index()
    {
        var previous = Items(10);
        var next = previous.ToArray();
        next[4] = next[4] with { Version = 1 };

        Assert.Equal([Changed(4, next[4])], DiffContract.Verify(new DiffCase(previous, next)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Reversing_a_list_moves_all_but_one_item(int count)
    {
        var previous = Items(count);

        var changes = DiffContract.Verify(new DiffCase(previous, [.. previous.Reverse()]));

        Assert.Equal(count - 1, changes.Count);
        Assert.All(changes, change => Assert.Equal(ChangeKind.Changed, change.Kind));
    }

    [Fact]
    public void A_duplicate_key_throws()
    {
        var duplicate = new DiffItem(A.Key, 1);

        var inPrevious = Assert.Throws<ArgumentException>(() => Compute([A, B, duplicate], [A]));
        var inNext = Assert.Throws<ArgumentException>(() => Compute([A], [duplicate, C, A]));

        Assert.Equal("previous", inPrevious.ParamName);
        Assert.Equal("next", inNext.ParamName);
    }

    [Fact]
    public void Sending_forward_moves_first_then_the_rest_ascending_is_not_safe()
    {
        // X moves forward past B, Y backward past B: the candidate order "forward movers by descending index, then the
        // rest ascending" sends X first, which lands after C because Y still sits at the end.
        DiffItem x = new(24, 0), y = new(25, 0);
        DiffCase diffCase = new([A, x, B, C, y], [A, y, B, x, C]);

        var rejected = OrderedDiff.Apply(diffCase.Previous, [Changed(3, x), Changed(1, y)], DiffItem.KeyOf);
        var changes = DiffContract.Verify(diffCase);

        Assert.NotEqual(diffCase.Next, rejected);
        Assert.Equal(2, changes.Count);
    }

    [Fact]
    public void A_forward_move_across_an_insertion_costs_one_message_more_than_the_minimum()
    {
        // Item 0 moves forward past 3 while 7 is inserted before 3. With absolute indexes whichever message goes
        // first lands one place off, so no order of the two minimal messages works and a stayer must move too.
        var previous = Items(7);
        DiffCase diffCase = new(previous, [previous[1], previous[2], new(7, 0), previous[3], previous[0], .. previous[4..]]);
        ItemChange<DiffItem>[] minimal = [Added(2, diffCase.Next[2]), Changed(4, previous[0])];

        Assert.All(
            new[] { minimal, [.. minimal.Reverse()] },
            order => Assert.NotEqual(diffCase.Next, OrderedDiff.Apply(previous, order, DiffItem.KeyOf)));
        Assert.Equal(2, DiffContract.MinimalMessageCount(diffCase));
        Assert.Equal(3, DiffContract.Verify(diffCase).Count);
    }

    [Fact]
    public void Apply_rejects_an_order_outside_the_list()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderedDiff.Apply([A], [Added(2, B)], DiffItem.KeyOf));
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderedDiff.Apply([A, B], [Changed(2, A)], DiffItem.KeyOf));
    }

    [Fact]
    public void Apply_ignores_a_changed_message_for_an_unknown_key()
    {
        Assert.Equal([A, B], OrderedDiff.Apply([A, B], [Changed(0, C)], DiffItem.KeyOf));
    }

    [Fact]
    public void Apply_replaces_in_place_or_moves_a_changed_item()
    {
        var renamed = A with { Version = 1 };

        Assert.Equal([renamed, B, C], OrderedDiff.Apply([A, B, C], [Changed(0, renamed)], DiffItem.KeyOf));
        Assert.Equal([B, C, renamed], OrderedDiff.Apply([A, B, C], [Changed(2, renamed)], DiffItem.KeyOf));
    }

    [Fact]
    public void Lists_of_1000_items_with_a_few_changes_are_diffed_exactly()
    {
        // Speed is measured by the benchmark program, not here: a timed test flakes on a busy machine.
        var random = new Random(1000);
        for (var i = 0; i < 20; i++)
        {
            DiffContract.Verify(new EditedList(1000, [.. Enumerable.Range(0, 5).Select(_ => RandomEdit(random))]).ToCase());
        }
    }

    [Fact]
    public void Most_random_diffs_cost_exactly_the_minimal_messages()
    {
        // Reconstruction is guaranteed; minimality is not always possible (see the forward move across an insertion).
        // This pins how often the planner reaches it and how far it may stray, with fixed seeds so it cannot flake.
        var random = new Random(7);
        const int cases = 2000;
        var smallExtra = new int[cases];
        var editedExtra = new int[cases];
        for (var i = 0; i < cases; i++)
        {
            var small = RandomSmallCase(random);
            smallExtra[i] = DiffContract.Verify(small).Count - DiffContract.MinimalMessageCount(small);
            var edited = new EditedList(random.Next(200), [.. Enumerable.Range(0, random.Next(7)).Select(_ => RandomEdit(random))]).ToCase();
            editedExtra[i] = DiffContract.Verify(edited).Count - DiffContract.MinimalMessageCount(edited);
        }

        static string Histogram(int[] extra) =>
            string.Join(", ", extra.CountBy(count => count).OrderBy(pair => pair.Key).Select(pair => $"+{pair.Key}: {pair.Value}"));
        TestContext.Current.TestOutputHelper?.WriteLine($"extra messages over the minimum, small random lists: {Histogram(smallExtra)}");
        TestContext.Current.TestOutputHelper?.WriteLine($"extra messages over the minimum, edited lists: {Histogram(editedExtra)}");
        Assert.InRange(smallExtra.Count(extra => extra == 0), cases * 88 / 100, cases);
        Assert.InRange(editedExtra.Count(extra => extra == 0), cases * 90 / 100, cases);
        Assert.InRange(editedExtra.Max(), 0, 3);
    }

    private static DiffCase RandomSmallCase(Random random)
    {
        var versions = Enumerable.Range(0, 16).Select(_ => random.Next(4)).ToArray();
        DiffItem[] Pick(int dataChange) => [.. Enumerable.Range(0, 16)
            .Where(_ => random.Next(2) == 0)
            .OrderBy(_ => random.Next())
            .Select(key => new DiffItem(key, versions[key] + (random.Next(4) == 0 ? dataChange : 0)))];
        return new DiffCase(Pick(0), Pick(1));
    }

    private static DiffEdit RandomEdit(Random random) =>
        new((DiffEditKind)random.Next(4), random.Next(1000), random.Next(1000));

    private static DiffItem[] Items(int count) => [.. Enumerable.Range(0, count).Select(key => new DiffItem(key, 0))];

    private static IReadOnlyList<ItemChange<DiffItem>> Compute(DiffItem[] previous, DiffItem[] next) =>
        OrderedDiff.Compute(previous, next, DiffItem.KeyOf, DiffItem.SameData);

    private static ItemChange<DiffItem> Added(int order, DiffItem item) => new(ChangeKind.Added, order, item);

    private static ItemChange<DiffItem> Changed(int order, DiffItem item) => new(ChangeKind.Changed, order, item);

    private static ItemChange<DiffItem> Removed(int order, DiffItem item) => new(ChangeKind.Removed, order, item);
}
