using Aspire.Hosting.ApplicationModel;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Faults;

/// <summary>
/// Stops and restarts the shared Redis. Runs alone, after every parallel test, so no other test sees the outage.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class RedisOutageTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_during_a_redis_outage_succeed_and_reach_subscribers_once_redis_is_back()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var url = $"/api/tasks?boardId={board.Id()}";
        var observer = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));
        var commands = app.App.ResourceCommands;

        var stopped = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand, Cancellation);
        Assert.True(stopped.Success, stopped.Message);
        await app.App.ResourceNotifications.WaitForResourceAsync("redis", KnownResourceStates.Finished, Cancellation);
        try
        {
            // The write is acknowledged although its change cannot be announced yet.
            var written = await _api.CreateTaskAsync(board.Id(), "during the outage");
            Assert.True(written.Id() > 0);

            // Observing needs Redis: a clear 503, not a 500 or a hang.
            using var observe = await _api.GetAsync($"{url}&observe={subscriber.Id}", Cancellation);
            await ProblemAssert.IsProblemAsync(observe, HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, Cancellation);
            Assert.True(started.Success, started.Message);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("redis", Cancellation);
        }

        // The change was published once Redis came back, and the open WebSocket delivers it.
        var message = await subscriber.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("added", message.GetProperty("msg").GetString());
        Assert.Equal("during the outage", message.GetProperty("item").GetProperty("title").GetString());
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);

        // And everything works as before.
        await _api.CreateTaskAsync(board.Id(), "after the outage");
        Assert.Equal("after the outage", (await subscriber.NextAsync()).GetProperty("item").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_redis_outage_longer_than_the_grace_period_ends_no_connected_subscription()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}&ordering=position";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));
        // Served before the outage: a write reaches the socket.
        await _api.CreateTaskAsync(board.Id(), "before the outage");
        Assert.Equal("before the outage", (await subscriber.NextAsync()).GetProperty("item").GetProperty("title").GetString());

        var commands = app.App.ResourceCommands;
        var stopped = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand, Cancellation);
        Assert.True(stopped.Success, stopped.Message);
        await app.App.ResourceNotifications.WaitForResourceAsync("redis", KnownResourceStates.Finished, Cancellation);
        // Redis is gone by now: every liveness key was last renewed, and every grace deadline last set, before this.
        var away = DateTimeOffset.UtcNow;
        try
        {
            await _api.CreateTaskAsync(board.Id(), "early in the outage");
            // The claim is about real time, and no state of the stack can stand in for the clock: Redis keeps absolute
            // expiry times, so a replica's liveness key is found expired when Redis returns only once its lifetime has
            // passed since its last renewal (before `away`), and the grace period likewise. So the outage lasts the
            // longer of the two from `away`, plus a second for the replicas' and Redis's clocks, and no more; what the
            // test checks throughout is that it is an outage the stack sees (observing answers 503).
            var outageEnds = away + (ReactiveRestApp.GracePeriod > ReactiveRestApp.ReplicaLifetime ? ReactiveRestApp.GracePeriod : ReactiveRestApp.ReplicaLifetime) + TimeSpan.FromSeconds(1);
            await Eventually.HoldsThroughoutAsync(() => ObservingUnavailableAsync(url, subscriber), outageEnds, "Redis stays away past the grace period and the liveness keys' lifetime");
            await _api.CreateTaskAsync(board.Id(), "late in the outage");
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, Cancellation);
            Assert.True(started.Success, started.Message);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("redis", Cancellation);
        }

        var back = DateTimeOffset.UtcNow;
        var recovery = new Recovery();
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url, TimeSpan.FromSeconds(30));
        recovery.Report("Redis away past the grace period: the outage's writes delivered after Redis was healthy again");

        // Back, each replica finds the other's liveness key expired and may start the grace period of its subscribers
        // until that replica renews and asserts its connections again: a subscription wrongly ended would end within a
        // grace period (and a maintenance pass or two) of Redis's return. That span is inherent to the claim, so the
        // subscription is checked on the server and on the socket all through it rather than slept through.
        await Eventually.HoldsThroughoutAsync(() => StillSubscribedAsync(subscriber, observer),
            back + ReactiveRestApp.GracePeriod + 2 * ReactiveRestApp.MaintenancePeriod, "Still subscribed a grace period after Redis returned");
        await _api.CreateTaskAsync(board.Id(), "after the outage");
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
        subscriber.AssertConnected();
        Assert.False(subscriber.IsExpired(observer));
    }

    /// <summary>Null while observing answers 503 (Redis away, as the API sees it); else what it answered.</summary>
    private async Task<string?> ObservingUnavailableAsync(string url, Subscriber subscriber)
    {
        using var observe = await _api.GetAsync($"{url}&observe={subscriber.Id}", Cancellation);
        return observe.StatusCode == HttpStatusCode.ServiceUnavailable ? null : $"observing answered {(int)observe.StatusCode}, so Redis is not away";
    }

    /// <summary>Null while the observer still counts the subscriber and its socket is open and told nothing expired.</summary>
    private async Task<string?> StillSubscribedAsync(Subscriber subscriber, string observer)
    {
        if (subscriber.IsExpired(observer))
        {
            return "the subscriber was told its subscription expired";
        }

        subscriber.AssertConnected();
        var (status, stats) = await _api.GetJsonAsync($"/api/queryobserver/{observer}");
        return status != HttpStatusCode.OK ? $"the observer's statistics answered {(int)status}"
            : stats.GetProperty("subscribers").GetInt32() != 1 ? $"the observer counts {stats.GetProperty("subscribers")} subscribers"
            : null;
    }
}
