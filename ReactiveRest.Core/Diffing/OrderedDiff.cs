using System.Runtime.InteropServices;

namespace ReactiveRest.Engine.Diffing;

/// <summary>
/// Computes and applies the messages that turn a client's copy of an ordered query result into the new result.
/// </summary>
/// <remarks>
/// Wire contract: all Removed messages come first. A client applies messages in the order received: Removed deletes
/// the item with that key; Added inserts at <c>Order</c>; Changed deletes the item with that key, then inserts the new
/// item at <c>Order</c> (a Changed for an unknown key is ignored). <c>Order</c> is always within the list's bounds.
/// </remarks>
public static class OrderedDiff
{
    /// <summary>
    /// The messages turning <paramref name="previous"/> into <paramref name="next"/>. Items whose data and relative
    /// order are unchanged (one longest run of such items) get no message; every other kept item gets a Changed,
    /// every new item an Added, every dropped item a Removed.
    /// </summary>
    /// <param name="keyOf">The primary key; keys must be unique within each list.</param>
    /// <param name="sameData">Whether two versions of the item with the same key carry identical data.</param>
    /// <exception cref="ArgumentException">A list holds a key twice.</exception>
    public static IReadOnlyList<ItemChange<T>> Compute<T, TKey>(
        IReadOnlyList<T> previous,
        IReadOnlyList<T> next,
        Func<T, TKey> keyOf,
        Func<T, T, bool> sameData)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(sameData);

        // One lookup table for both lists: where each key sits in previous and in next.
        var slots = new Dictionary<TKey, (int Previous, int Next)>(previous.Count + next.Count);
        for (var index = 0; index < previous.Count; index++)
        {
            var key = keyOf(previous[index]);
            if (!slots.TryAdd(key, (index, -1)))
            {
                throw DuplicateKey(key, nameof(previous));
            }
        }

        var targetOfPrevious = new int[previous.Count];
        Array.Fill(targetOfPrevious, -1);
        var previousIndexOfTarget = new int[next.Count];
        var unchangedKept = new bool[next.Count];

        // Only unchanged items may stay silent, so the longest run is sought among them alone: a changed item
        // gets a message wherever it ends up, and letting it take a place in the run could only cost a stayer.
        var silentCandidates = new List<int>(next.Count);
        var silentPreviousIndexes = new List<int>(next.Count);
        for (var target = 0; target < next.Count; target++)
        {
            var key = keyOf(next[target]);
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(slots, key, out var seen);
            if (!seen)
            {
                slot = (-1, target);
            }
            else if (slot.Next >= 0)
            {
                throw DuplicateKey(key, nameof(next));
            }
            else
            {
                slot.Next = target;
                targetOfPrevious[slot.Previous] = target;
            }

            var index = slot.Previous;
            previousIndexOfTarget[target] = index;
            unchangedKept[target] = index >= 0 && sameData(previous[index], next[target]);
            if (unchangedKept[target])
            {
                silentCandidates.Add(target);
                silentPreviousIndexes.Add(index);
            }
        }

        var changes = new List<ItemChange<T>>();
        var keptInPreviousOrder = new List<int>(Math.Min(previous.Count, next.Count));
        for (var index = 0; index < previous.Count; index++)
        {
            if (targetOfPrevious[index] >= 0)
            {
                keptInPreviousOrder.Add(targetOfPrevious[index]);
            }
            else
            {
                changes.Add(new ItemChange<T>(ChangeKind.Removed, index, previous[index]));
            }
        }

        var isStayer = new bool[next.Count];
        var stayers = LongestIncreasingSubsequence.Positions(CollectionsMarshal.AsSpan(silentPreviousIndexes));
        foreach (var at in stayers)
        {
            isStayer[silentCandidates[at]] = true;
        }

        if (stayers.Length == next.Count)
        {
            return changes;
        }

        var order = EmissionPlanner.Plan(keptInPreviousOrder, isStayer)
            ?? PullEmission.Plan(keptInPreviousOrder, unchangedKept);
        foreach (var target in order)
        {
            var kind = previousIndexOfTarget[target] < 0 ? ChangeKind.Added : ChangeKind.Changed;
            changes.Add(new ItemChange<T>(kind, target, next[target]));
        }

        return changes;
    }

    /// <summary>Applies messages the way a client does; the reference for what <see cref="Compute{T, TKey}"/> must satisfy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A message's order lies outside the list it is inserted into.</exception>
    public static List<T> Apply<T, TKey>(IReadOnlyList<T> list, IEnumerable<ItemChange<T>> changes, Func<T, TKey> keyOf)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(keyOf);

        var result = new List<T>(list);
        foreach (var change in changes)
        {
            var key = keyOf(change.Item);
            var index = change.Kind == ChangeKind.Added ? -1 : result.FindIndex(item => EqualityComparer<TKey>.Default.Equals(keyOf(item), key));
            switch (change.Kind)
            {
                case ChangeKind.Removed when index >= 0:
                    result.RemoveAt(index);
                    break;
                case ChangeKind.Removed:
                    break;
                case ChangeKind.Added:
                    Insert(result, change);
                    break;
                case ChangeKind.Changed when index >= 0:
                    result.RemoveAt(index);
                    Insert(result, change);
                    break;
                case ChangeKind.Changed:
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(changes), change.Kind, "Unknown change kind.");
            }
        }

        return result;
    }

    private static void Insert<T>(List<T> result, ItemChange<T> change)
    {
        // Out of range means client and server disagree about the list; clamping would hide that.
        if ((uint)change.Order > (uint)result.Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(change),
                change.Order,
                $"{change.Kind} at {change.Order} is outside a list of {result.Count} items.");
        }

        result.Insert(change.Order, change.Item);
    }

    private static ArgumentException DuplicateKey(object key, string parameterName) =>
        new($"Primary key {key} occurs more than once.", parameterName);
}
