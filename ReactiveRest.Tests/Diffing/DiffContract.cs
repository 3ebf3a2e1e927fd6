using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Tests.Diffing;

/// <summary>Checks a computed diff against the wire protocol's contract.</summary>
public static class DiffContract
{
    /// <summary>Computes the diff of the case, asserts every rule of the contract and returns the messages.</summary>
    public static IReadOnlyList<ItemChange<DiffItem>> Verify(DiffCase diffCase)
    {
        var (previous, next) = (diffCase.Previous, diffCase.Next);
        var changes = OrderedDiff.Compute(previous, next, DiffItem.KeyOf, DiffItem.SameData);

        // A client applying the messages ends with exactly the new result, keys and data, in order.
        Assert.Equal(next, OrderedDiff.Apply(previous, changes, DiffItem.KeyOf));

        // All Removed messages come first.
        var removedCount = changes.TakeWhile(change => change.Kind == ChangeKind.Removed).Count();
        Assert.DoesNotContain(changes.Skip(removedCount), change => change.Kind == ChangeKind.Removed);

        // Removed carries the previous item at its previous index; Added and Changed the new item at its new index.
        var previousIndex = IndexByKey(previous);
        var nextIndex = IndexByKey(next);
        foreach (var change in changes)
        {
            var key = change.Item.Key;
            switch (change.Kind)
            {
                case ChangeKind.Removed:
                    Assert.Equal(previous[change.Order], change.Item);
                    Assert.False(nextIndex.ContainsKey(key), $"{key} is still in the new result but was removed");
                    break;
                case ChangeKind.Added:
                    Assert.Equal(next[change.Order], change.Item);
                    Assert.False(previousIndex.ContainsKey(key), $"{key} was in the previous result but was added");
                    break;
                default:
                    Assert.Equal(ChangeKind.Changed, change.Kind);
                    Assert.Equal(next[change.Order], change.Item);
                    Assert.True(previousIndex.ContainsKey(key), $"{key} is new but was sent as changed");
                    break;
            }
        }

        Assert.Equal(changes.Count, changes.Select(change => change.Item.Key).Distinct().Count());
        Assert.Equal(previous.Count(item => !nextIndex.ContainsKey(item.Key)), removedCount);

        // Items without a message kept their data and their order relative to each other.
        var messaged = changes.Select(change => change.Item.Key).ToHashSet();
        var silent = next.Where(item => !messaged.Contains(item.Key)).ToList();
        Assert.All(silent, item => Assert.Equal(previous[previousIndex[item.Key]], item));
        var silentPreviousIndexes = silent.Select(item => previousIndex[item.Key]).ToList();
        Assert.Equal(silentPreviousIndexes.Order(), silentPreviousIndexes);

        // Never fewer messages than possible, never more than one per previous-only or new item.
        Assert.InRange(changes.Count, MinimalMessageCount(diffCase), removedCount + next.Length);
        return changes;
    }

    /// <summary>
    /// Removed + Added + kept items outside one longest run of items whose data and relative order did not change.
    /// No correct diff has fewer messages: every silent item must belong to such a run.
    /// </summary>
    public static int MinimalMessageCount(DiffCase diffCase)
    {
        var previousIndex = IndexByKey(diffCase.Previous);
        var nextKeys = diffCase.Next.Select(item => item.Key).ToHashSet();
        var removed = diffCase.Previous.Count(item => !nextKeys.Contains(item.Key));
        var unchanged = diffCase.Next
            .Where(item => previousIndex.TryGetValue(item.Key, out var index) && diffCase.Previous[index] == item)
            .Select(item => previousIndex[item.Key])
            .ToArray();
        return removed + diffCase.Next.Length - LongestIncreasingRun(unchanged);
    }

    // Quadratic on purpose: an independent check of the engine's patience sorting.
    private static int LongestIncreasingRun(int[] values)
    {
        var longestEndingAt = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            longestEndingAt[i] = 1;
            for (var j = 0; j < i; j++)
            {
                if (values[j] < values[i])
                {
                    longestEndingAt[i] = Math.Max(longestEndingAt[i], longestEndingAt[j] + 1);
                }
            }
        }

        return longestEndingAt.DefaultIfEmpty(0).Max();
    }

    private static Dictionary<int, int> IndexByKey(DiffItem[] items) =>
        items.Select((item, index) => (item.Key, index)).ToDictionary(pair => pair.Key, pair => pair.index);
}
