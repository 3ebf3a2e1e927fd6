using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// A subscriber id belongs to the user who first used it, and observers to the user they run as: another user cannot
/// take a subscriber's connection over on any replica, unsubscribe it, read its observers' statistics, or subscribe it
/// to anything. Each attempt gets 403 (the WebSocket) or 404, and the owner's connection carries on untouched.
/// </summary>
public sealed class HijackTests(ReactiveRestApp app) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private readonly string _owner = TestUsers.Unique("owner");
    private readonly string _mallory = TestUsers.Unique("mallory");

    [Fact]
    public async Task Another_user_cannot_take_over_a_subscriber_on_either_replica()
    {
        var (api, subscriber, board, _) = await OwnerObservingAsync();

        // The observers endpoint balances between the replicas: a few attempts reach both.
        for (var attempt = 0; attempt < 6; attempt++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(app, $"/ws/{subscriber.Id}", _mallory)));
        }

        await AssertStillServedAsync(api, subscriber, board);
        subscriber.AssertConnected();
    }

    [Fact]
    public async Task Another_user_cannot_unsubscribe_a_subscriber_or_read_its_observers_statistics()
    {
        var (api, subscriber, board, observer) = await OwnerObservingAsync();
        using var mallory = app.CreateApiClient(_mallory);
        using var malloryOnObservers = app.CreateObserversClient(_mallory);

        await ProblemAssert.IsProblemAsync(await mallory.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={subscriber.Id}", null, Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await malloryOnObservers.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={subscriber.Id}", null, Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await mallory.GetAsync($"/api/queryobserver/{observer}", Cancellation), HttpStatusCode.NotFound);
        var (status, stats) = await api.GetJsonAsync($"/api/queryobserver/{observer}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, stats.GetProperty("subscribers").GetInt32());

        await AssertStillServedAsync(api, subscriber, board);
    }

    [Fact]
    public async Task Another_user_cannot_subscribe_someone_elses_subscriber_to_anything()
    {
        var (api, subscriber, board, _) = await OwnerObservingAsync();
        using var mallory = app.CreateApiClient(_mallory);
        var planted = await mallory.CreateBoardAsync("planted");

        await ProblemAssert.IsProblemAsync(await mallory.GetAsync($"/api/tasks?boardId={planted.Id()}&observe={subscriber.Id}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await mallory.GetAsync($"/api/boards/{planted.Id()}?observe={subscriber.Id}", Cancellation), HttpStatusCode.NotFound);
        await mallory.CreateTaskAsync(planted.Id(), "planted");

        // Only the owner's own observer's messages arrive: the sentinel, and nothing of Mallory's board before it.
        var frames = await AssertStillServedAsync(api, subscriber, board);
        Assert.All(frames, frame => Assert.Equal(board.Id(), frame.GetProperty("item").GetProperty("boardId").GetInt32()));
    }

    [Fact]
    public async Task A_subscriber_id_first_used_by_a_websocket_belongs_to_that_user()
    {
        var id = "claimed-" + Guid.NewGuid().ToString("N")[..12];
        await using var owner = await Subscriber.ConnectAsync(app, id, user: _owner);
        using var mallory = app.CreateApiClient(_mallory);
        var board = await mallory.CreateBoardAsync("mallory's");

        await ProblemAssert.IsProblemAsync(await mallory.GetAsync($"/api/tasks?boardId={board.Id()}&observe={id}", Cancellation), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(app, $"/ws/{id}", _mallory)));
    }

    private async Task<(HttpClient Api, Subscriber Subscriber, JsonElement Board, string Observer)> OwnerObservingAsync()
    {
        var api = app.CreateApiClient(_owner);
        var board = await api.CreateBoardAsync("owner's");
        var subscriber = await Subscriber.ConnectAsync(app, user: _owner);
        _owned.Add(subscriber);
        var observer = await subscriber.ObserveAsync(api, $"/api/tasks?boardId={board.Id()}");
        return (api, subscriber, board, observer);
    }

    /// <summary>A write the owner's subscriber must receive within a second or two; returns the frames up to it.</summary>
    private static async Task<List<JsonElement>> AssertStillServedAsync(HttpClient api, Subscriber subscriber, JsonElement board)
    {
        var sentinel = await api.CreateTaskAsync(board.Id(), "sentinel");
        return await subscriber.NextUntilAsync(frame => frame.TryGetProperty("item", out var item) && item.Id() == sentinel.Id(), TimeSpan.FromSeconds(3));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }
}
