using Aspire.Hosting.ApplicationModel;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Faults;

/// <summary>
/// Redis dies. Where it keeps its data (append-only file), connected subscribers keep their subscriptions and receive
/// the outage's writes; where it lost them, every client is told to observe again, never left deaf.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class RedisCrashTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_a_kill_9_of_redis_with_its_data_kept_connected_subscribers_get_the_outage_writes()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}&ordering=position";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));
        await _api.CreateTaskAsync(board.Id(), "before");
        await subscriber.NextAsync();
        // The append-only file is written every second: let the last commit reach it, as a real crash would not wait.
        await Task.Delay(1500, Cancellation);

        var redis = (await app.ProcessesAsync("redis")).Single();
        ReactiveRestStack.Kill(redis.Value);
        for (var i = 0; i < 3; i++)
        {
            await _api.CreateTaskAsync(board.Id(), $"during the outage {i}");
        }

        await app.RestartAsync(redis.Key, "redis");
        var recovery = new Recovery();
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url, TimeSpan.FromSeconds(30));
        recovery.Report("Redis killed, data kept: the outage's writes delivered after Redis was healthy again");
        subscriber.AssertConnected();
        Assert.Equal(4, subscriber.View(observer).Count);
    }

    [Fact]
    public async Task After_redis_lost_its_data_connected_clients_are_told_to_observe_again()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));

        var stopped = await app.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand, Cancellation);
        Assert.True(stopped.Success, stopped.Message);
        await app.App.ResourceNotifications.WaitForResourceAsync("redis", KnownResourceStates.Finished, Cancellation);
        foreach (var file in Directory.GetFiles(Path.Combine(app.DataDirectory, "redis"), "*", SearchOption.AllDirectories).Where(file => !file.EndsWith(".conf", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        var started = await app.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, Cancellation);
        Assert.True(started.Success, started.Message);
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync("redis", Cancellation);
        var recovery = new Recovery();

        var told = await subscriber.NextUntilAsync(frame => frame.TryGetProperty("msg", out var msg) && msg.GetString() == "expired", TimeSpan.FromSeconds(30));
        recovery.Report("Redis lost its data: the connected client told expired after Redis was healthy again");
        Assert.Equal(observer, told[^1].GetProperty("observer").GetString());
        subscriber.AssertConnected();

        // The owner of the subscriber id went with the data; the replica bound it to the connection's user again before
        // telling it expired, so another user still cannot take the id over.
        Assert.Equal(HttpStatusCode.Forbidden, await Security.WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(app, $"/ws/{subscriber.Id}", TestUsers.Unique("mallory"))));
        subscriber.AssertConnected();

        // Observing again works on the same socket.
        var again = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));
        await _api.CreateTaskAsync(board.Id(), "after the loss");
        await Convergence.AssertConvergesAsync(_api, subscriber, again, url, TimeSpan.FromSeconds(30));
        recovery.Report("Redis lost its data: observed again, and a new write delivered");
    }
}
