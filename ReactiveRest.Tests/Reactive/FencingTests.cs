using Aspire.Hosting.Testing;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Tests.Infrastructure;
using StackExchange.Redis;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// An evaluation that stalled past its lock's time cannot commit: its result would be older than the one committed by
/// the evaluation that took the lock over. Run against the real Redis and scripts.
/// </summary>
public sealed class FencingTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_commit_whose_lock_expired_is_refused_and_the_newer_result_stands()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.App.GetConnectionStringAsync("redis", Cancellation) ?? "");
        var store = new ObserverStore(redis, Options.Create(new ReactiveOptions { EvaluationLockTime = TimeSpan.FromMilliseconds(300) }));
        var observer = Guid.NewGuid().ToString("N");
        var subscribed = await store.SubscribeAsync(observer, """{"resource":"tasks","id":1,"query":"","principal":"anonymous"}""", "fencing", "[]", ResultDigest.Of("[]"), "incarnation");
        Assert.True(subscribed.Subscribed);

        var stalled = await store.AcquireAsync(observer, "stalled", null, -1);
        Assert.Equal(AcquireStatus.Acquired, stalled.Status);
        var database = redis.GetDatabase();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await database.KeyExistsAsync(RedisKeys.Observer(observer).Lock))
        {
            Assert.True(DateTime.UtcNow < deadline, "The lock never expired.");
            await Task.Delay(50, Cancellation);
        }

        var fresh = await store.AcquireAsync(observer, "fresh", null, -1);
        Assert.Equal(AcquireStatus.Acquired, fresh.Status);
        var newer = await store.AppendToLogAsync(observer, "fresh", Commit("newer"));
        var older = await store.AppendToLogAsync(observer, "stalled", Commit("older"));

        Assert.True(newer.Committed);
        Assert.False(older.Committed);
        var head = await store.ReadHeadAsync(observer);
        Assert.Equal("""[{"id":1,"title":"newer"}]""", head!.ResultJson);
        Assert.Equal(1, head.Seq);
        await store.UnsubscribeAsync(observer, "fencing", _ => []);
    }

    private static Commit Commit(string title)
    {
        var result = $$"""[{"id":1,"title":"{{title}}"}]""";
        var message = $$"""{"msg":"added","observer":"x","primary_key":"id","order":0,"item":{"id":1,"title":"{{title}}"},"seq":1}""";
        return new Commit("incarnation", 0, 0, result, ResultDigest.Of(result), "x incarnation - 0", Release: true, SubscriberId: null, [message]);
    }
}
