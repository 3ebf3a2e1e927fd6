using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>Subscriptions outlive a closed WebSocket for the grace period (configured to 4 s in these tests), then end.</summary>
public sealed class GracePeriodTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_quick_reconnect_keeps_the_subscriptions_and_receives_what_happened_meanwhile()
    {
        var board = await _api.CreateBoardAsync();
        var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");
        var kept = subscriber.View(observer);
        await subscriber.DisposeAsync();

        var missed = await _api.CreateTaskAsync(board.Id(), "while away");
        await using var again = await Subscriber.ConnectAsync(app, subscriber.Id);

        var message = await again.NextAsync();
        Assert.Empty(kept);
        Assert.Equal("added", message.GetProperty("msg").GetString());
        Assert.Equal(observer, message.GetProperty("observer").GetString());
        Assert.Equal(missed.ToString(), message.GetProperty("item").ToString());
    }

    [Fact]
    public async Task Past_the_grace_period_the_subscriptions_end_and_the_observer_is_dropped()
    {
        var board = await _api.CreateBoardAsync();
        var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");
        // Before the close begins: the server cannot start the grace period earlier, so the bound below is certain.
        var closed = DateTime.UtcNow;
        await subscriber.DisposeAsync();

        Assert.Equal(HttpStatusCode.OK, await StatsStatusAsync(observer));
        await WaitUntilDroppedAsync(observer);
        Assert.True(DateTime.UtcNow - closed >= ReactiveRestApp.GracePeriod, $"Dropped {(DateTime.UtcNow - closed).TotalSeconds:F1} s after the close, before the grace period ended.");

        using var unsubscribe = await _api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={subscriber.Id}", null, Cancellation);
        using var stats = await _api.GetAsync($"/api/queryobserver/{observer}", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, unsubscribe.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stats.StatusCode);
    }

    [Fact]
    public async Task A_connected_subscriber_keeps_its_subscriptions_beyond_the_grace_period()
    {
        var board = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");

        // A companion that disconnects at the same time: once its observer is dropped, the grace period has passed.
        var companion = await Subscriber.ConnectAsync(app);
        var companionObserver = await companion.ObserveAsync(_api, $"/api/tasks?boardId={(await _api.CreateBoardAsync()).Id()}");
        await companion.DisposeAsync();
        await WaitUntilDroppedAsync(companionObserver);

        await _api.CreateTaskAsync(board.Id(), "still subscribed");

        var message = await subscriber.NextAsync();
        Assert.Equal(observer, message.GetProperty("observer").GetString());
    }

    [Fact]
    public async Task Subscribing_before_connecting_works_and_is_bounded_by_the_grace_period()
    {
        var board = await _api.CreateBoardAsync();
        var id = "early" + Guid.NewGuid().ToString("N")[..8];
        using var response = await _api.GetAsync($"/api/tasks?boardId={board.Id()}&observe={id}", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var task = await _api.CreateTaskAsync(board.Id(), "before the socket");

        await using var subscriber = await Subscriber.ConnectAsync(app, id);

        var message = await subscriber.NextAsync();
        Assert.Equal(task.ToString(), message.GetProperty("item").ToString());

        // The bound: an id observed but never connected is dropped with its observer once the grace period ends.
        var neverConnected = "early" + Guid.NewGuid().ToString("N")[..8];
        var other = await _api.CreateBoardAsync();
        // Before the GET: its grace period cannot start earlier.
        var observed = DateTime.UtcNow;
        using var unclaimed = await _api.GetAsync($"/api/tasks?boardId={other.Id()}&observe={neverConnected}", Cancellation);
        Assert.Equal(HttpStatusCode.OK, unclaimed.StatusCode);
        var unclaimedObserver = (await unclaimed.ReadJsonAsync()).GetProperty("observer").GetString()!;
        await WaitUntilDroppedAsync(unclaimedObserver);
        Assert.True(DateTime.UtcNow - observed >= ReactiveRestApp.GracePeriod, "An unconnected subscription ended before the grace period did.");
    }

    private async Task<HttpStatusCode> StatsStatusAsync(string observer)
    {
        using var stats = await _api.GetAsync($"/api/queryobserver/{observer}", Cancellation);
        return stats.StatusCode;
    }

    /// <summary>Waits until the observer is gone (its subscriber's grace period ended), failing well after the bound.</summary>
    private async Task WaitUntilDroppedAsync(string observer)
    {
        var deadline = DateTime.UtcNow + ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(15);
        while (await StatsStatusAsync(observer) != HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Observer {observer} outlived the grace period by 15 s.");
            await Task.Delay(100, Cancellation);
        }
    }
}
