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
        await subscriber.DisposeAsync();

        await Task.Delay(ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(4), Cancellation);

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

        await Task.Delay(ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(4), Cancellation);
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
    }
}
