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
        try
        {
            // Longer than the grace period and than a replica's liveness key lives.
            await _api.CreateTaskAsync(board.Id(), "early in the outage");
            await Task.Delay(ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(12), Cancellation);
            await _api.CreateTaskAsync(board.Id(), "late in the outage");
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, Cancellation);
            Assert.True(started.Success, started.Message);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("redis", Cancellation);
        }

        var recovery = new Recovery();
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url, TimeSpan.FromSeconds(30));
        recovery.Report("Redis away past the grace period: the outage's writes delivered after Redis was healthy again");
        // Still subscribed well after the grace period: a later write arrives too.
        await Task.Delay(ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(2), Cancellation);
        await _api.CreateTaskAsync(board.Id(), "after the outage");
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
        subscriber.AssertConnected();
        Assert.False(subscriber.IsExpired(observer));
    }
}
