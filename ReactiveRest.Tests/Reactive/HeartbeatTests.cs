using System.Diagnostics;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>django-websocket-redis clients send heartbeats on a timer: a heartbeat must never delay the next push.</summary>
public sealed class HeartbeatTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();

    [Fact]
    public async Task A_write_after_a_heartbeat_arrives_within_normal_latency()
    {
        var board = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");

        for (var i = 0; i < 5; i++)
        {
            await subscriber.SendTextAsync("--heartbeat--");
            Assert.Equal("--heartbeat--", (await subscriber.NextAsync()).GetString());

            // From the write's answer to the frame, as latency is measured. The bug this guards against cost 5 s; normal is
            // tens of milliseconds, and the bound leaves room for a machine busy running every other test at once.
            await _api.CreateTaskAsync(board.Id(), $"after heartbeat {i}");
            var stopwatch = Stopwatch.StartNew();
            var added = await subscriber.NextAsync(TimeSpan.FromSeconds(2));

            Assert.Equal($"after heartbeat {i}", added.GetProperty("item").GetProperty("title").GetString());
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        }
    }
}
