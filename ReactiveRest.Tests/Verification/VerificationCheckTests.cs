using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Verification;

namespace ReactiveRest.Tests.Verification;

/// <summary>
/// The comparison a verification makes and the repair it decides, without Redis or a database: every subscriber must
/// end at the fresh result by applying the run to what it holds, whichever copy was damaged.
/// </summary>
public sealed class VerificationCheckTests
{
    private const string Observer = "0123456789abcdef0123456789abcdef";

    private static ObservedItem Item(int id, string title) => new(id.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""{"id":{{id}},"title":"{{title}}"}""");

    private static readonly IReadOnlyList<ObservedItem> Fresh = [Item(1, "a"), Item(2, "b"), Item(3, "c")];

    private static string Json(IReadOnlyList<ObservedItem> items) => ObservedItem.ToJsonArray(items);

    private static IReadOnlyList<ObservedItem> Applied(IReadOnlyList<ObservedItem> held, IReadOnlyList<string> run)
    {
        var list = new ObservedList(held);
        foreach (var message in run)
        {
            list.Apply(message);
        }

        return list.Items;
    }

    [Fact]
    public void A_stored_result_equal_to_the_fresh_one_matches_and_sends_nothing()
    {
        var verdict = VerificationCheck.Check(Observer, 7, Json(Fresh), ResultDigest.Of(Json(Fresh)), null, Fresh);

        Assert.True(verdict.Matches);
        Assert.Empty(verdict.Run);
    }

    [Fact]
    public void A_missed_change_is_repaired_with_a_resync_run_from_the_stored_result()
    {
        // The stored result is intact (its text matches its digest) but the database moved on without a change announced.
        IReadOnlyList<ObservedItem> stored = [Item(1, "a"), Item(2, "old"), Item(4, "gone")];
        var verdict = VerificationCheck.Check(Observer, 7, Json(stored), ResultDigest.Of(Json(stored)), null, Fresh);

        Assert.False(verdict.Matches);
        Assert.Equal(VerificationBasis.Stored, verdict.Basis);
        Assert.Equal(Fresh, Applied(stored, verdict.Run));
        Assert.All(verdict.Run.SkipLast(1), message => Assert.Contains("\"seq\":-1,\"resync\":true}", message, StringComparison.Ordinal));
        Assert.EndsWith($"\"seq\":{7 + verdict.Run.Count},\"resync\":true}}", verdict.Run[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_result_text_is_caught_though_its_digest_is_intact_and_subscribers_keep_their_correct_list()
    {
        IReadOnlyList<ObservedItem> damaged = [Item(1, "a"), Item(2, "damaged"), Item(3, "c")];
        var verdict = VerificationCheck.Check(Observer, 7, Json(damaged), ResultDigest.Of(Json(Fresh)), null, Fresh);

        Assert.False(verdict.Matches);
        Assert.Equal(VerificationBasis.Fresh, verdict.Basis);
        Assert.NotEqual(verdict.StoredDigest, verdict.StoredResultDigest);
        // Subscribers hold the fresh list: the run re-sends the item in doubt in place, which leaves it as it is.
        var run = Assert.Single(verdict.Run);
        Assert.Contains("\"msg\":\"changed\"", run, StringComparison.Ordinal);
        Assert.Contains("\"seq\":8,\"resync\":true", run, StringComparison.Ordinal);
        Assert.Equal(Fresh, Applied(Fresh, verdict.Run));
    }

    [Fact]
    public void A_result_and_digest_damaged_alike_are_repaired_from_what_was_sent()
    {
        // The damaged copy is self-consistent: only a copy of what was sent tells it from the truth.
        IReadOnlyList<ObservedItem> damaged = [Item(1, "a"), Item(3, "c")];
        var verdict = VerificationCheck.Check(Observer, 7, Json(damaged), ResultDigest.Of(Json(damaged)), Fresh, Fresh);

        Assert.False(verdict.Matches);
        Assert.Equal(VerificationBasis.Sent, verdict.Basis);
        Assert.Equal(Fresh, Applied(Fresh, verdict.Run));
        Assert.NotEmpty(verdict.Run);
    }

    [Fact]
    public void A_run_from_what_was_sent_brings_subscribers_to_the_fresh_result_when_both_the_store_and_the_database_moved()
    {
        IReadOnlyList<ObservedItem> sent = [Item(3, "c"), Item(1, "a")];
        IReadOnlyList<ObservedItem> damaged = [Item(9, "x")];
        var verdict = VerificationCheck.Check(Observer, 0, Json(damaged), "not a digest", sent, Fresh);

        Assert.Equal(Fresh, Applied(sent, verdict.Run));
    }

    [Fact]
    public void An_unreadable_stored_result_is_a_mismatch_and_its_digest_alone_says_what_subscribers_hold()
    {
        var verdict = VerificationCheck.Check(Observer, 3, "not json", ResultDigest.Of(Json(Fresh)), null, Fresh);

        Assert.False(verdict.Matches);
        Assert.Equal(VerificationBasis.Fresh, verdict.Basis);
        Assert.Equal(Fresh, Applied(Fresh, verdict.Run));
    }

    [Fact]
    public void A_damaged_digest_alone_is_a_mismatch_repaired_without_a_message()
    {
        var verdict = VerificationCheck.Check(Observer, 3, Json(Fresh), "0000", null, Fresh);

        Assert.False(verdict.Matches);
        Assert.Empty(verdict.Run);
    }
}
