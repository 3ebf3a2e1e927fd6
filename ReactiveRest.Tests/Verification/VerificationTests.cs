using System.Text.Json;
using Aspire.Hosting.Testing;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Tests.Infrastructure;
using StackExchange.Redis;

namespace ReactiveRest.Tests.Verification;

/// <summary>
/// The observers verify what they maintain: an observer's stored result damaged directly in Redis is found by the
/// verification (a fresh evaluation compared with it), and the repair, a resync run, reaches the subscriber, which is
/// neither dropped nor told to observe again, and whose list then follows later writes exactly.
/// </summary>
public sealed class VerificationTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Long enough for a pass over every other test's observers at the stack's rate.</summary>
    private static readonly TimeSpan RepairDeadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stored_result_damaged_in_Redis_is_repaired_for_its_subscriber_with_a_resync_run(bool digestToo)
    {
        var board = (await _api.CreateBoardAsync()).Id();
        for (var i = 1; i <= 3; i++)
        {
            await _api.CreateTaskAsync(board, $"verified {i}", position: i);
        }

        var url = $"/api/tasks?boardId={board}&ordering=position";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url);
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);

        // The damage: the second item's title changed in the stored result (and, when the digest is damaged too, the
        // item removed and the digest made to match, so the stored copy looks sound on its own).
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.App.GetConnectionStringAsync("redis", Cancellation) ?? "");
        var database = redis.GetDatabase();
        var state = $"rr:{{{observer}}}:obs";
        var stored = (string)(await database.HashGetAsync(state, "result"))!;
        var items = JsonDocument.Parse(stored).RootElement.EnumerateArray().Select(item => item.GetRawText()).ToList();
        Assert.Equal(3, items.Count);
        string damaged;
        if (digestToo)
        {
            items.RemoveAt(1);
            damaged = "[" + string.Join(',', items) + "]";
            await database.HashSetAsync(state, [new HashEntry("result", damaged), new HashEntry("digest", ResultDigest.Of(damaged))]);
        }
        else
        {
            damaged = stored.Replace("verified 2", "damaged 2", StringComparison.Ordinal);
            Assert.NotEqual(stored, damaged);
            await database.HashSetAsync(state, "result", damaged);
        }

        var seqBefore = subscriber.Seq(observer);
        var frames = await subscriber.NextUntilAsync(
            frame => frame.ValueKind == JsonValueKind.Object
                && frame.TryGetProperty("observer", out var of) && of.GetString() == observer
                && frame.TryGetProperty("resync", out var resync) && resync.GetBoolean()
                && frame.GetProperty("seq").GetInt64() > seqBefore,
            RepairDeadline);
        Assert.DoesNotContain(frames, frame => frame.TryGetProperty("msg", out var kind) && kind.GetString() == "expired");

        // Not dropped, not expired, and exactly the fresh list (the test client fails on any message that does not
        // apply to what it holds, such as an added for a key it has).
        subscriber.AssertConnected();
        Assert.False(subscriber.IsExpired(observer));
        Assert.True(subscriber.ResyncMessages > 0);
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);

        // The stored copy is repaired: its text is the fresh result and the digest beside it is the text's.
        var repaired = (string)(await database.HashGetAsync(state, "result"))!;
        Assert.DoesNotContain("damaged", repaired, StringComparison.Ordinal);
        Assert.Equal(3, JsonDocument.Parse(repaired).RootElement.GetArrayLength());
        Assert.Equal(ResultDigest.Of(repaired), (string?)await database.HashGetAsync(state, "digest"));
        Assert.True((long)await database.HashGetAsync(state, "repairs") >= 1);

        // And the observer goes on from the repaired result: a later write reaches the subscriber exactly.
        await _api.CreateTaskAsync(board, "after the repair", position: 0);
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
        Assert.Equal(4, subscriber.View(observer).Count);
    }
}
