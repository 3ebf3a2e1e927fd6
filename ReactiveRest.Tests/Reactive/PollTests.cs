using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// A resource whose changes no key announces (board statistics, computed by the database) is polled: its observers
/// are evaluated on a timer, shared and diffed, and send nothing while nothing changes. Every wait has a deadline (the
/// polls' loop and each frame their own, convergence its own, each request the client's 30 s), so a poll that never
/// comes fails the test rather than hanging it.
/// </summary>
public sealed class PollTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = WithTimeout(app.CreateApiClient());
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_polled_observer_sends_nothing_until_its_result_changes_then_the_change()
    {
        var board = await _api.CreateBoardAsync("polled");
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var url = $"/api/boardstats/{board.Id()}";
        var observer = await subscriber.ObserveAsync(_api, url);
        Assert.Equal(0, subscriber.View(observer).Single().GetProperty("tasks").GetInt32());

        // Polls run, and find nothing new: no frame. The sentinel below must be the first frame.
        var first = await EvaluationsAsync(observer);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await EvaluationsAsync(observer) < first + 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Observer {observer} was not polled twice in 20 s (every 2 s expected).");
            await Task.Delay(200, Cancellation);
        }

        await _api.CreateTaskAsync(board.Id(), "counted", done: true);
        var changed = await subscriber.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("changed", changed.GetProperty("msg").GetString());
        Assert.Equal(1, changed.GetProperty("item").GetProperty("tasks").GetInt32());
        Assert.Equal(1, changed.GetProperty("item").GetProperty("done").GetInt32());
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
    }

    [Fact]
    public async Task A_polled_list_is_filtered_like_any_list()
    {
        var board = await _api.CreateBoardAsync("polled list");
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var url = $"/api/boardstats?id={board.Id()}&tasks__gte=2";
        var observer = await subscriber.ObserveAsync(_api, url);
        Assert.Empty(subscriber.View(observer));

        await _api.CreateTaskAsync(board.Id(), "one");
        await _api.CreateTaskAsync(board.Id(), "two");

        var added = await subscriber.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("added", added.GetProperty("msg").GetString());
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
    }

    private async Task<long> EvaluationsAsync(string observer)
    {
        var (status, stats) = await _api.GetJsonAsync($"/api/queryobserver/{observer}");
        Assert.True(status == HttpStatusCode.OK, $"Observer {observer}'s statistics answered {(int)status}: {stats}");
        return stats.GetProperty("evaluations").GetInt64();
    }

    /// <summary>A request that gets no answer fails within 30 s (HttpClient's default is 100 s).</summary>
    private static HttpClient WithTimeout(HttpClient client)
    {
        client.Timeout = TimeSpan.FromSeconds(30);
        return client;
    }
}
