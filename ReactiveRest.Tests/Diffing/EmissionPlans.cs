using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Tests.Diffing;

/// <summary>
/// Drives the two internal emission orders directly, so the fallback that <see cref="OrderedDiff"/> rarely needs
/// is tested as hard as the main path.
/// </summary>
public sealed record EmissionPlans(DiffCase Case, int[] KeptInPreviousOrder, bool[] IsStayer, bool[] UnchangedKept)
{
    public static EmissionPlans For(DiffCase diffCase)
    {
        var previousIndex = diffCase.Previous.Select((item, index) => (item.Key, index)).ToDictionary(pair => pair.Key, pair => pair.index);
        var target = diffCase.Next.Select((item, index) => (item.Key, index)).ToDictionary(pair => pair.Key, pair => pair.index);
        var kept = diffCase.Previous.Where(item => target.ContainsKey(item.Key)).Select(item => target[item.Key]).ToArray();
        var unchanged = diffCase.Next
            .Select(item => previousIndex.TryGetValue(item.Key, out var index) && diffCase.Previous[index] == item)
            .ToArray();
        var candidates = Enumerable.Range(0, diffCase.Next.Length).Where(at => unchanged[at]).ToArray();
        var isStayer = new bool[diffCase.Next.Length];
        var candidateOrder = candidates.Select(at => previousIndex[diffCase.Next[at].Key]).ToArray();
        foreach (var position in LongestIncreasingSubsequence.Positions(candidateOrder))
        {
            isStayer[candidates[position]] = true;
        }

        return new EmissionPlans(diffCase, kept, isStayer, unchanged);
    }

    public List<int>? Planned() => EmissionPlanner.Plan(KeptInPreviousOrder, IsStayer);

    public List<int> Pulled() => PullEmission.Plan(KeptInPreviousOrder, UnchangedKept);

    /// <summary>What a client ends with after the Removed messages and then the given targets' messages.</summary>
    public List<DiffItem> Applied(IEnumerable<int> targets)
    {
        var nextKeys = Case.Next.Select(item => item.Key).ToHashSet();
        var previousKeys = Case.Previous.Select(item => item.Key).ToHashSet();
        var removed = Case.Previous
            .Select((item, index) => new ItemChange<DiffItem>(ChangeKind.Removed, index, item))
            .Where(change => !nextKeys.Contains(change.Item.Key));
        var upserts = targets.Select(target => new ItemChange<DiffItem>(
            previousKeys.Contains(Case.Next[target].Key) ? ChangeKind.Changed : ChangeKind.Added, target, Case.Next[target]));
        return OrderedDiff.Apply(Case.Previous, removed.Concat(upserts), DiffItem.KeyOf);
    }
}
