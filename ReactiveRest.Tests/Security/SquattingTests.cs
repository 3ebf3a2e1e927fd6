using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;
using StackExchange.Redis;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// A subscriber id is claimed by its first user, but only a subscription or a connection keeps it: a claim nothing used
/// (an observe GET that failed) expires, so no id is taken for ever.
/// </summary>
public sealed class SquattingTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_observe_GET_that_fails_claims_its_id_only_for_a_while_and_a_use_keeps_it()
    {
        var user = TestUsers.Unique("squatter");
        using var api = app.CreateApiClient(user);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.App.GetConnectionStringAsync("redis", Cancellation) ?? "");
        var database = redis.GetDatabase();

        // 404: the task does not exist. The id was claimed on the way, and the claim expires.
        var failed = "sq" + Guid.NewGuid().ToString("N")[..16];
        using (var missing = await api.GetAsync($"/api/tasks/2000000000?observe={failed}", Cancellation))
        {
            await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound);
        }

        var ttl = await database.KeyTimeToLiveAsync($"rr:{{s:{failed}}}:owner");
        Assert.True(ttl is { } left && left > TimeSpan.Zero && left <= TimeSpan.FromMinutes(2), $"The failed observe's claim lasts {ttl?.ToString() ?? "for ever"}.");

        // The same id observed successfully by its user: the claim is kept.
        var board = await api.CreateBoardAsync();
        using (var observed = await api.GetAsync($"/api/tasks?boardId={board.Id()}&observe={failed}", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, observed.StatusCode);
        }

        Assert.Null(await database.KeyTimeToLiveAsync($"rr:{{s:{failed}}}:owner"));
        Assert.Equal(user, (string?)await database.StringGetAsync($"rr:{{s:{failed}}}:owner"));

        // A connection keeps a claim too.
        var connected = "sq" + Guid.NewGuid().ToString("N")[..16];
        await using var subscriber = await Subscriber.ConnectAsync(app, connected, user: user);
        await subscriber.SendTextAsync("--heartbeat--");
        Assert.Equal("--heartbeat--", (await subscriber.NextAsync()).GetString());
        Assert.Null(await database.KeyTimeToLiveAsync($"rr:{{s:{connected}}}:owner"));
    }
}
