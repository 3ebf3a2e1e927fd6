namespace ReactiveRest.Engine.Verification;

/// <summary>
/// What a replica verifies next: round-robin over the observers (a pass over a snapshot of their ids, reloaded when it
/// ends), at most <c>perSecond</c> on average with a burst of one second's worth, so the cost of verification is bounded
/// whatever the number of observers. Pure: the caller says how much time passed and hands the ids in.
/// </summary>
public sealed class VerificationPlanner(double perSecond)
{
    private readonly Queue<string> _pass = new();
    private double _budget;

    /// <summary>The budget of verifications not spent yet (fractional: a rate below one a tick accumulates).</summary>
    public double Budget => _budget;

    /// <summary>Whether the pass ended and the observers' ids should be read again.</summary>
    public bool NeedsPass => _pass.Count == 0;

    /// <summary>Starts a pass over these observers, in a rotating order so that replicas starting together do not verify the same ones.</summary>
    public void StartPass(IEnumerable<string> observerIds, int offset = 0)
    {
        _pass.Clear();
        var ordered = observerIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
        {
            return;
        }

        var start = ((offset % ordered.Count) + ordered.Count) % ordered.Count;
        for (var i = 0; i < ordered.Count; i++)
        {
            _pass.Enqueue(ordered[(start + i) % ordered.Count]);
        }
    }

    /// <summary>Adds the budget earned over <paramref name="elapsed"/>, capped at one second's worth (at least one verification).</summary>
    public void Elapse(TimeSpan elapsed)
    {
        if (perSecond <= 0 || elapsed <= TimeSpan.Zero)
        {
            return;
        }

        _budget = Math.Min(Math.Max(1, perSecond), _budget + (perSecond * elapsed.TotalSeconds));
    }

    /// <summary>The observers to verify now: as many as the budget allows and the pass still holds; each spends one.</summary>
    public IReadOnlyList<string> Take()
    {
        var taken = new List<string>();
        while (_budget >= 1 && _pass.TryDequeue(out var observerId))
        {
            taken.Add(observerId);
            _budget -= 1;
        }

        return taken;
    }

    /// <summary>Spends one verification of the budget on something else than the pass (a confirmation); false when none is left.</summary>
    public bool TrySpend()
    {
        if (_budget < 1)
        {
            return false;
        }

        _budget -= 1;
        return true;
    }
}
