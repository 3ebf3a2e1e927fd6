using System.Net.WebSockets;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>One connection serves a subscriber at a time: a newer one takes over exactly where the older one stood.</summary>
public sealed class TakeoverTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();

    [Fact]
    public async Task A_new_connection_takes_over_with_4000_and_continues_without_repeating_or_losing()
    {
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}";
        await using var first = await Subscriber.ConnectAsync(app);
        var observer = await first.ObserveAsync(_api, url);
        await _api.CreateTaskAsync(board.Id(), "seen by the first");
        Assert.Equal("seen by the first", (await first.NextAsync()).GetProperty("item").GetProperty("title").GetString());

        // Possibly on the other replica: the proxy picks.
        await using var second = await Subscriber.ConnectAsync(app, first.Id);
        await first.DrainAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((WebSocketCloseStatus)4000, first.CloseStatus);

        await _api.CreateTaskAsync(board.Id(), "seen by the second");
        var next = await second.NextAsync();
        Assert.Equal("seen by the second", next.GetProperty("item").GetProperty("title").GetString());
        Assert.Equal(first.Seq(observer) + 1, next.GetProperty("seq").GetInt64());
    }
}
