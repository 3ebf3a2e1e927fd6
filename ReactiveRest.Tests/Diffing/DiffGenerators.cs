using FsCheck;
using FsCheck.Fluent;

namespace ReactiveRest.Tests.Diffing;

/// <summary>FsCheck generators for diff inputs.</summary>
public static class DiffGenerators
{
    private const int KeyUniverse = 16;

    /// <summary>
    /// Two independent random lists over keys 0..15: random subsets in random orders, where a kept key keeps its
    /// data three times out of four. Small lists whose every item may be added, removed, moved or changed at once.
    /// </summary>
    public static Arbitrary<DiffCase> SmallLists()
    {
        var keys = Enumerable.Range(0, KeyUniverse).ToArray();
        var generator =
            from previousKeys in Gen.SubListOf(keys).SelectMany(subset => Gen.Shuffle(subset.AsEnumerable()))
            from nextKeys in Gen.SubListOf(keys).SelectMany(subset => Gen.Shuffle(subset.AsEnumerable()))
            from versions in Gen.ArrayOf(Gen.Choose(0, 3), KeyUniverse)
            from dataChanges in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1))), KeyUniverse)
            select new DiffCase(
                [.. previousKeys.Select(key => new DiffItem(key, versions[key]))],
                [.. nextKeys.Select(key => new DiffItem(key, versions[key] + dataChanges[key]))]);
        return Arb.From(generator, ShrinkCase);
    }

    /// <summary>Lists of up to 200 items with up to six edits of any kind.</summary>
    public static Arbitrary<EditedList> LargeListsWithFewEdits() =>
        Edited(maxSize: 200, maxEdits: 6, DiffEditKind.Delete, DiffEditKind.Insert, DiffEditKind.Move, DiffEditKind.ChangeData);

    /// <summary>Inserts, deletes and data changes, nothing reordered.</summary>
    public static Arbitrary<EditedList> EditsWithoutMoves() =>
        Edited(maxSize: 60, maxEdits: 8, DiffEditKind.Delete, DiffEditKind.Insert, DiffEditKind.ChangeData);

    /// <summary>One move among deletions and data changes.</summary>
    public static Arbitrary<EditedList> OneMoveWithDeletesAndDataChanges()
    {
        var generator =
            from size in Gen.Choose(1, 60)
            from others in Gen.ListOf(Edit(DiffEditKind.Delete, DiffEditKind.ChangeData)).Select(edits => edits.Take(6))
            from move in Edit(DiffEditKind.Move)
            from movePosition in Gen.Choose(0, 6)
            let edits = others.ToList()
            select new EditedList(size, [.. edits.Take(movePosition), move, .. edits.Skip(movePosition)]);
        return Arb.From(generator);
    }

    private static Arbitrary<EditedList> Edited(int maxSize, int maxEdits, params DiffEditKind[] kinds)
    {
        var generator =
            from size in Gen.Choose(0, maxSize)
            from count in Gen.Choose(0, maxEdits)
            from edits in Gen.ArrayOf(Edit(kinds), count)
            select new EditedList(size, edits);
        return Arb.From(generator, ShrinkEdits);
    }

    private static Gen<DiffEdit> Edit(params DiffEditKind[] kinds) =>
        from kind in Gen.Elements(kinds)
        from origin in Gen.Choose(0, 999)
        from destination in Gen.Choose(0, 999)
        select new DiffEdit(kind, origin, destination);

    private static IEnumerable<DiffCase> ShrinkCase(DiffCase diffCase)
    {
        for (var i = 0; i < diffCase.Previous.Length; i++)
        {
            yield return diffCase with { Previous = [.. diffCase.Previous.Where((_, at) => at != i)] };
        }

        for (var i = 0; i < diffCase.Next.Length; i++)
        {
            yield return diffCase with { Next = [.. diffCase.Next.Where((_, at) => at != i)] };
        }
    }

    private static IEnumerable<EditedList> ShrinkEdits(EditedList list)
    {
        for (var i = 0; i < list.Edits.Length; i++)
        {
            yield return list with { Edits = [.. list.Edits.Where((_, at) => at != i)] };
        }

        if (list.Size > 0)
        {
            yield return list with { Size = list.Size / 2 };
            yield return list with { Size = list.Size - 1 };
        }
    }
}
