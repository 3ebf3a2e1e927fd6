using ReactiveRest.Engine.Diffing;
using ReactiveRest.Engine.Protocol;

namespace ReactiveRest.Engine.Verification;

/// <summary>Where the list every subscriber holds at the verified position was taken from.</summary>
public enum VerificationBasis
{
    /// <summary>A copy of what was sent at the verified seq: the result this process committed there, or the snapshot kept there for a subscriber.</summary>
    Sent,

    /// <summary>The stored result, whose text matches the stored digest.</summary>
    Stored,

    /// <summary>The fresh result, whose digest is the stored one: only the stored text was damaged.</summary>
    Fresh,

    /// <summary>Neither copy could be trusted (the stored text and digest disagree and the fresh result matches neither): the stored text, as parsed.</summary>
    Unverified,
}

/// <summary>The outcome of comparing an observer's stored result with a fresh evaluation at one position.</summary>
/// <param name="Held">What subscribers hold at the verified seq, as far as can be told (see <see cref="Basis"/>).</param>
/// <param name="Run">The repair, a resync run to commit at positions seq + 1 on: empty when nothing is to be sent.</param>
public sealed record VerificationVerdict(
    bool Matches,
    string StoredDigest,
    string StoredResultDigest,
    string FreshDigest,
    VerificationBasis Basis,
    IReadOnlyList<ObservedItem> Held,
    IReadOnlyList<string> Run);

/// <summary>
/// Decides whether an observer's stored state is what a fresh evaluation gives, and if not, the repair. Pure, so every
/// case is unit-tested. The stored result's own digest is computed (not only the stored <c>digest</c> field read), so a
/// damaged result text is caught even when the digest beside it is intact.
/// </summary>
/// <remarks>
/// The repair is a resync run from what subscribers hold at the verified seq to the fresh result. What they hold is
/// what the log's messages built, which the stored result should equal but, when it was damaged, may not: a copy of
/// what was sent at that seq if there is one (the result this process committed, or the snapshot kept for a subscriber
/// that started there), else the stored result if its text matches its digest, else the fresh result
/// if the stored digest is its digest (subscribers already hold it; only the text was damaged). When subscribers
/// already hold the fresh result the run re-sends, as <c>changed</c> at their place, the items the damaged copy
/// disagreed on: a no-op on a correct list that still tells every subscriber, in the protocol's own words, that those
/// items were checked; the store is repaired either way.
/// </remarks>
public static class VerificationCheck
{
    public static VerificationVerdict Check(
        string observerId,
        long seq,
        string storedResultJson,
        string storedDigest,
        IReadOnlyList<ObservedItem>? sent,
        IReadOnlyList<ObservedItem> fresh)
    {
        var freshJson = ObservedItem.ToJsonArray(fresh);
        var freshDigest = ResultDigest.Of(freshJson);
        var storedResultDigest = ResultDigest.Of(storedResultJson);
        if (storedResultDigest == storedDigest && storedDigest == freshDigest)
        {
            return new VerificationVerdict(true, storedDigest, storedResultDigest, freshDigest, VerificationBasis.Stored, fresh, []);
        }

        var stored = TryParse(storedResultJson);
        var (basis, held) = sent is not null ? (VerificationBasis.Sent, sent)
            : storedResultDigest == storedDigest && stored is not null ? (VerificationBasis.Stored, stored)
            : freshDigest == storedDigest ? (VerificationBasis.Fresh, fresh)
            : (VerificationBasis.Unverified, stored ?? []);

        var run = Run(observerId, seq, held, fresh, stored);
        return new VerificationVerdict(false, storedDigest, storedResultDigest, freshDigest, basis, held, run);
    }

    private static IReadOnlyList<string> Run(string observerId, long seq, IReadOnlyList<ObservedItem> held, IReadOnlyList<ObservedItem> fresh, IReadOnlyList<ObservedItem>? stored)
    {
        var changes = OrderedDiff.Compute(held, fresh, item => item.Key, (a, b) => a.Json == b.Json);
        if (changes.Count == 0)
        {
            // Subscribers hold the fresh list already; confirm the items the damaged copy had wrong (each in place).
            var storedByKey = (stored ?? []).Select((item, index) => (item, index)).GroupBy(entry => entry.item.Key, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
            changes = [.. fresh.Select((item, index) => (item, index))
                .Where(entry => !storedByKey.TryGetValue(entry.item.Key, out var was) || was.item.Json != entry.item.Json || was.index != entry.index)
                .Select(entry => new ItemChange<ObservedItem>(ChangeKind.Changed, entry.index, entry.item))];
        }

        var messages = new string[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            messages[i] = ProtocolMessage.Serialize(observerId, changes[i], i == changes.Count - 1 ? seq + changes.Count : ResumeRequest.InsideResync, resync: true);
        }

        return messages;
    }

    private static IReadOnlyList<ObservedItem>? TryParse(string json)
    {
        try
        {
            return ObservedItem.ParseArray(json);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }
}
