using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using StackExchange.Redis;
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
        // kill -9 loses what redis-server has not yet written to its append-only file (what it wrote sits in the OS's
        // cache and survives the process; with appendfsync everysec a write may be held back while an fsync runs).
        // The claim is about data kept, so the kill comes once Redis has written everything it holds: a condition on
        // Redis's own state, after the last write was delivered, rather than a sleep past its fsync second.
        await AppendOnlyFileCaughtUpAsync();

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

    /// <summary>Waits until Redis has nothing left to write to its append-only file, and wrote the last of it without error.</summary>
    private async Task AppendOnlyFileCaughtUpAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await app.App.GetConnectionStringAsync("redis", Cancellation) ?? "") + ",allowAdmin=true");
        var server = redis.GetServers().Single();
        var last = "";
        await Eventually.HoldsAsync(async () =>
        {
            var persistence = (await server.InfoAsync("persistence")).SelectMany(group => group).ToDictionary(pair => pair.Key, pair => pair.Value);
            last = string.Join(", ", persistence.Where(pair => pair.Key.StartsWith("aof_", StringComparison.Ordinal)).Select(pair => $"{pair.Key}={pair.Value}"));
            return persistence.GetValueOrDefault("aof_enabled") == "1"
                && persistence.GetValueOrDefault("aof_buffer_length") == "0"
                && persistence.GetValueOrDefault("aof_pending_bio_fsync") == "0"
                && persistence.GetValueOrDefault("aof_last_write_status") == "ok";
        }, TimeSpan.FromSeconds(10), "Redis wrote its append-only file up to the last write");
        TestContext.Current.SendDiagnosticMessage($"append-only file caught up: {last}");
    }

    [Fact]
    public async Task After_redis_lost_its_data_connected_clients_are_told_to_observe_again()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));
        // The observe GET answers through the API while the socket's own set-up (its claim, its subscriptions attached)
        // may still be talking to Redis; a write that reaches the socket proves that set-up is over, so the loss below
        // meets a connection that is serving (one still being set up is closed with 1013, as documented).
        await _api.CreateTaskAsync(board.Id(), "before the loss");
        await subscriber.NextAsync();

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
