namespace ReactiveRest.Engine.Diffing;

/// <summary>
/// Orders the Added/Changed messages of a diff by simulating the client list they are applied to.
/// </summary>
/// <remarks>
/// Items are named by their index in the new result, their target. An item is settled once it will get no further
/// message: a stayer, or an item whose message was emitted. Only the item named by a message moves, so settled items
/// never change their relative order again. A message is therefore safe when its item lands, at its target index,
/// after every settled item that precedes it in the new result and before every settled item that follows it: when
/// all items are settled the list is in new-result order, which makes it exactly the new result. Each safe step is
/// final, so nothing ever needs undoing.
/// <para>
/// Absolute indexes make some diffs impossible with one message per non-stayer, e.g. a forward move across an
/// insertion point: whichever goes first lands one place off. Then stayers are promoted to get a message too, which
/// leaves the blocked item free to land next to them; a short lookahead picks the promotion that costs least overall.
/// A dead end (every blocked landing passes an item whose message was already sent) makes <see cref="Plan"/> give up.
/// </para>
/// </remarks>
internal sealed class EmissionPlanner
{
    private const int LookaheadCandidates = 4;

    // Bounds the lookahead to well under a millisecond: each trial costs about pending x list length.
    private const long LookaheadWork = 400_000;

    private enum Status : byte
    {
        Fixed,
        Pending,
        Done,
    }

    private readonly record struct Blocked(int Target, int FirstRank, int EndRank)
    {
        public int Promotions => EndRank - FirstRank;
    }

    private readonly int targetCount;
    private readonly List<int> list;
    private readonly int[] position;
    private readonly Status[] status;
    private readonly List<int> pending;
    private readonly List<int> emitted;

    // Prefix counts kept up to date after every step, so that judging a candidate message is O(1).
    private readonly int[] settledBeforePosition;
    private readonly int[] settledBeforeTarget;
    private long lookaheadWork = LookaheadWork;

    private EmissionPlanner(IReadOnlyList<int> keptInPreviousOrder, IReadOnlyList<bool> isStayer)
    {
        targetCount = isStayer.Count;
        list = new List<int>(targetCount);
        list.AddRange(keptInPreviousOrder);
        position = new int[targetCount];
        status = new Status[targetCount];
        pending = [];
        settledBeforeTarget = new int[targetCount + 1];
        for (var target = 0; target < targetCount; target++)
        {
            status[target] = isStayer[target] ? Status.Fixed : Status.Pending;
            settledBeforeTarget[target + 1] = settledBeforeTarget[target] + (isStayer[target] ? 1 : 0);
            if (!isStayer[target])
            {
                pending.Add(target);
            }
        }

        emitted = new List<int>(pending.Count);
        settledBeforePosition = new int[targetCount + 1];
        Array.Fill(position, -1);
        Recount(0);
    }

    private EmissionPlanner(EmissionPlanner other)
    {
        targetCount = other.targetCount;
        list = new List<int>(other.list);
        position = (int[])other.position.Clone();
        status = (Status[])other.status.Clone();
        pending = new List<int>(other.pending);
        emitted = new List<int>(other.emitted);
        settledBeforePosition = (int[])other.settledBeforePosition.Clone();
        settledBeforeTarget = (int[])other.settledBeforeTarget.Clone();
    }

    /// <summary>
    /// The targets to send Added/Changed messages for, in sending order, or null when no safe order was found.
    /// Every non-stayer appears once; promoted stayers appear too.
    /// </summary>
    /// <param name="keptInPreviousOrder">The client list after the Removed messages, as targets.</param>
    /// <param name="isStayer">Per target: true when the item must keep its place without a message.</param>
    public static List<int>? Plan(IReadOnlyList<int> keptInPreviousOrder, IReadOnlyList<bool> isStayer)
    {
        var planner = new EmissionPlanner(keptInPreviousOrder, isStayer);

        // The final check cannot fail if the reasoning above holds; it makes sure a flaw there costs messages, not correctness.
        return planner.Run(lookahead: true) && planner.IsNewResult() ? planner.emitted : null;
    }

    private bool Run(bool lookahead)
    {
        while (pending.Count > 0)
        {
            // The largest safe target first: on random diffs, taking the smallest got stuck about 25 times as often.
            var safe = FirstSafe();
            if (safe >= 0)
            {
                Emit(safe);
                continue;
            }

            var blocked = BlockedByStayers();
            if (blocked.Count == 0)
            {
                return false;
            }

            Blocked? chosen = lookahead ? Cheapest(blocked) : blocked[0];
            if (chosen is not { } step)
            {
                return false;
            }

            PromoteAndEmit(step);
        }

        return true;
    }

    private int FirstSafe()
    {
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            var target = pending[i];
            if (TryLanding(target, out var settledBefore) && settledBefore == settledBeforeTarget[target])
            {
                return target;
            }
        }

        return -1;
    }

    /// <summary>Landings that pass only stayers, fewest first: promoting those stayers makes the landing safe.</summary>
    private List<Blocked> BlockedByStayers()
    {
        // doneBeforeRank[r]: how many of the r first settled items (in new-result order) were already sent.
        var doneBeforeRank = new int[settledBeforeTarget[targetCount] + 1];
        for (int target = 0, rank = 0; target < targetCount; target++)
        {
            if (status[target] != Status.Pending)
            {
                doneBeforeRank[rank + 1] = doneBeforeRank[rank] + (status[target] == Status.Done ? 1 : 0);
                rank++;
            }
        }

        var blocked = new List<Blocked>();
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            var target = pending[i];
            if (!TryLanding(target, out var settledBefore))
            {
                continue;
            }

            // The settled items ranked between these two counts are on the wrong side of the landing.
            var first = Math.Min(settledBefore, settledBeforeTarget[target]);
            var end = Math.Max(settledBefore, settledBeforeTarget[target]);
            if (doneBeforeRank[end] == doneBeforeRank[first])
            {
                blocked.Add(new Blocked(target, first, end));
            }
        }

        return [.. blocked.OrderBy(step => step.Promotions)];
    }

    private Blocked? Cheapest(List<Blocked> blocked)
    {
        if (blocked.Count == 1)
        {
            return blocked[0];
        }

        Blocked? best = null;
        var bestMessages = int.MaxValue;
        foreach (var step in blocked.Take(LookaheadCandidates))
        {
            var work = 4L * (pending.Count + 1) * (targetCount + 1);
            if (work > lookaheadWork)
            {
                return best ?? step;
            }

            lookaheadWork -= work;
            var trial = new EmissionPlanner(this);
            trial.PromoteAndEmit(step);
            if (trial.Run(lookahead: false) && trial.emitted.Count < bestMessages)
            {
                best = step;
                bestMessages = trial.emitted.Count;
            }
        }

        return best;
    }

    /// <summary>Where the target would land: false when its index is past the end of the list it is inserted into.</summary>
    private bool TryLanding(int target, out int settledBefore)
    {
        var at = position[target];
        var remaining = at >= 0 ? list.Count - 1 : list.Count;
        if (target > remaining)
        {
            settledBefore = 0;
            return false;
        }

        // The item itself is pending, never settled, so skipping over its own slot does not change the count.
        settledBefore = at >= 0 && at < target ? settledBeforePosition[target + 1] : settledBeforePosition[target];
        return true;
    }

    private void PromoteAndEmit(Blocked step)
    {
        var firstRecounted = list.Count;
        for (int target = 0, rank = 0; rank < step.EndRank; target++)
        {
            if (status[target] == Status.Pending)
            {
                continue;
            }

            if (rank++ < step.FirstRank)
            {
                continue;
            }

            status[target] = Status.Pending;
            pending.Insert(~pending.BinarySearch(target), target);
            firstRecounted = Math.Min(firstRecounted, position[target]);
            for (var after = target + 1; after <= targetCount; after++)
            {
                settledBeforeTarget[after]--;
            }
        }

        Recount(firstRecounted);
        Emit(step.Target);
    }

    private void Emit(int target)
    {
        var at = position[target];
        if (at >= 0)
        {
            list.RemoveAt(at);
        }

        list.Insert(target, target);
        status[target] = Status.Done;
        pending.RemoveAt(pending.BinarySearch(target));
        emitted.Add(target);
        for (var after = target + 1; after <= targetCount; after++)
        {
            settledBeforeTarget[after]++;
        }

        Recount(at >= 0 ? Math.Min(at, target) : target);
    }

    /// <summary>Refreshes positions and settled counts from list index <paramref name="from"/> on; nothing before it moved.</summary>
    private void Recount(int from)
    {
        for (var at = from; at < list.Count; at++)
        {
            var target = list[at];
            position[target] = at;
            settledBeforePosition[at + 1] = settledBeforePosition[at] + (status[target] == Status.Pending ? 0 : 1);
        }
    }

    private bool IsNewResult()
    {
        if (list.Count != targetCount)
        {
            return false;
        }

        for (var at = 0; at < list.Count; at++)
        {
            if (list[at] != at)
            {
                return false;
            }
        }

        return true;
    }
}
