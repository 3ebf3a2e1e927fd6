using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>Every spelling of the same query shares one observer.</summary>
public sealed class ObserverIdentityTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();

    [Fact]
    public async Task Spellings_of_one_query_share_one_observer()
    {
        var board = await _api.CreateBoardAsync();
        var task = await _api.CreateTaskAsync(board.Id(), "x");
        await using var one = await Subscriber.ConnectAsync(app);
        await using var two = await Subscriber.ConnectAsync(app);

        Assert.Equal(await one.ObserveAsync(_api, $"/api/tasks/{task.Id()}"), await two.ObserveAsync(_api, $"/api/tasks/000{task.Id()}"));
        Assert.Equal(
            await one.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}&done=false"),
            await two.ObserveAsync(_api, $"/api/tasks?done=False&boardId=0{board.Id()}&limit=100&offset=0&ordering=position,id"));
        Assert.Equal(
            await one.ObserveAsync(_api, $"/api/tasks?boardId__in={board.Id()},{board.Id() + 1}"),
            await two.ObserveAsync(_api, $"/api/tasks?boardId__in={board.Id() + 1},{board.Id()},{board.Id()}"));
    }
}
