namespace ReactiveRest.Engine.Diffing;

/// <summary>
/// The fallback order, correct by construction: walk the new result left to right and send every item that is not
/// already in place. Before target t the client's list already equals the new result, and the item due at t sits
/// further right or is absent, so taking it out and inserting it at t never disturbs what is in place. It may send
/// more messages than needed (a stayer that an earlier item has not yet moved out of the way), at most one per item.
/// </summary>
internal static class PullEmission
{
    /// <param name="keptInPreviousOrder">The client list after the Removed messages, as targets (new-result indexes).</param>
    /// <param name="unchangedKept">Per target: true when the item was in the previous result with the same data.</param>
    public static List<int> Plan(IReadOnlyList<int> keptInPreviousOrder, IReadOnlyList<bool> unchangedKept)
    {
        var list = new List<int>(keptInPreviousOrder);
        var emitted = new List<int>();
        for (var target = 0; target < unchangedKept.Count; target++)
        {
            if (target < list.Count && list[target] == target && unchangedKept[target])
            {
                continue;
            }

            var at = list.IndexOf(target, target);
            if (at >= 0)
            {
                list.RemoveAt(at);
            }

            list.Insert(target, target);
            emitted.Add(target);
        }

        return emitted;
    }
}
