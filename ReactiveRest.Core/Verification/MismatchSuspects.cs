namespace ReactiveRest.Engine.Verification;

/// <summary>
/// Where a verification compared an observer: its incarnation, seq and changes counted (the known position) and the
/// digest of the fresh result it found there.
/// </summary>
public sealed record VerificationPosition(string Incarnation, long Seq, long Changes, string FreshDigest);

/// <summary>
/// Mismatches found once and waiting to be confirmed. A write committed in PostgreSQL reaches an observer's change count
/// some milliseconds later (captured, relayed, matched), so a fresh evaluation in between sees data the observer was not
/// yet told of: not a fault. A mismatch is therefore repaired only when a second verification, at least
/// <c>settle</c> later, finds the very same position (no change counted meanwhile) and the same fresh result: the
/// database held still and the observer still disagrees. Pure: the caller passes the time.
/// </summary>
public sealed class MismatchSuspects(TimeSpan settle)
{
    private readonly Dictionary<string, (VerificationPosition Position, DateTimeOffset Due)> _suspects = new(StringComparer.Ordinal);

    public int Count => _suspects.Count;

    /// <summary>Notes a mismatch found at <paramref name="position"/>; checked again from <paramref name="now"/> + settle on.</summary>
    public void Suspect(string observerId, VerificationPosition position, DateTimeOffset now) => _suspects[observerId] = (position, now + settle);

    /// <summary>The position an observer's mismatch was first found at, if one waits: a verification that finds it again confirms it.</summary>
    public VerificationPosition? PositionOf(string observerId) => _suspects.TryGetValue(observerId, out var suspect) ? suspect.Position : null;

    /// <summary>The suspects whose settle time has passed, oldest first, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<string> Due(DateTimeOffset now, int max) =>
        [.. _suspects.Where(entry => entry.Value.Due <= now).OrderBy(entry => entry.Value.Due).Take(max).Select(entry => entry.Key)];

    /// <summary>The suspicion is settled: confirmed and repaired, or gone with a change, a match or the observer.</summary>
    public void Clear(string observerId) => _suspects.Remove(observerId);
}
