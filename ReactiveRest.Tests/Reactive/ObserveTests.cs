using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

public sealed class ObserveTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_write_reaches_the_observer_of_a_list_as_one_message()
    {
        var board = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);

        using var response = await _api.GetAsync($"/api/tasks?boardId={board.Id()}&observe={subscriber.Id}", Cancellation);
        var body = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var observer = body.GetProperty("observer").GetString()!;
        Assert.Empty(body.GetProperty("items").EnumerateArray());

        var task = await _api.CreateTaskAsync(board.Id(), "pushed");

        var message = await subscriber.NextAsync();
        Assert.Equal("added", message.GetProperty("msg").GetString());
        Assert.Equal(observer, message.GetProperty("observer").GetString());
        Assert.Equal("id", message.GetProperty("primary_key").GetString());
        Assert.Equal(0, message.GetProperty("order").GetInt32());
        Assert.Equal(task.ToString(), message.GetProperty("item").ToString());
    }

    [Fact]
    public async Task Changes_and_removals_are_pushed_in_order_and_rebuild_the_result()
    {
        var board = await _api.CreateBoardAsync();
        var first = await _api.CreateTaskAsync(board.Id(), "first", position: 0);
        var second = await _api.CreateTaskAsync(board.Id(), "second", position: 1);
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}&ordering=position");
        Assert.Equal([first.Id(), second.Id()], subscriber.View(observer).Select(item => item.Id()));

        using var moved = await _api.PatchAsJsonAsync($"/api/tasks/{first.Id()}", new { position = 5 }, Cancellation);
        var change = await subscriber.NextAsync();
        Assert.Equal("changed", change.GetProperty("msg").GetString());
        Assert.Equal(1, change.GetProperty("order").GetInt32());
        Assert.Equal(first.Id(), change.GetProperty("item").Id());
        Assert.Equal(5, change.GetProperty("item").GetProperty("position").GetInt32());

        using var deleted = await _api.DeleteAsync($"/api/tasks/{second.Id()}", Cancellation);
        var removal = await subscriber.NextAsync();
        Assert.Equal("removed", removal.GetProperty("msg").GetString());
        Assert.Equal(0, removal.GetProperty("order").GetInt32());
        Assert.Equal(second.ToString(), removal.GetProperty("item").ToString());

        Assert.Equal([first.Id()], subscriber.View(observer).Select(item => item.Id()));
    }

    [Fact]
    public async Task A_detail_get_is_observed_as_a_one_item_list()
    {
        var board = await _api.CreateBoardAsync();
        var task = await _api.CreateTaskAsync(board.Id(), "detail");
        await using var subscriber = await Subscriber.ConnectAsync(app);

        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks/{task.Id()}");
        Assert.Equal([task.ToString()], subscriber.View(observer).Select(item => item.ToString()));

        using var patched = await _api.PatchAsJsonAsync($"/api/tasks/{task.Id()}", new { done = true }, Cancellation);
        var change = await subscriber.NextAsync();
        Assert.Equal("changed", change.GetProperty("msg").GetString());
        Assert.Equal(0, change.GetProperty("order").GetInt32());
        Assert.True(change.GetProperty("item").GetProperty("done").GetBoolean());

        using var deleted = await _api.DeleteAsync($"/api/tasks/{task.Id()}", Cancellation);
        var removal = await subscriber.NextAsync();
        Assert.Equal("removed", removal.GetProperty("msg").GetString());
        Assert.Empty(subscriber.View(observer));
    }

    [Fact]
    public async Task Deleting_a_board_removes_its_tasks_from_every_observer()
    {
        var board = await _api.CreateBoardAsync();
        var task = await _api.CreateTaskAsync(board.Id(), "goes with the board");
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var list = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");
        var detail = await subscriber.ObserveAsync(_api, $"/api/tasks/{task.Id()}");
        var boards = await subscriber.ObserveAsync(_api, $"/api/boards/{board.Id()}");

        using var deleted = await _api.DeleteAsync($"/api/boards/{board.Id()}", Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var messages = new[] { await subscriber.NextAsync(), await subscriber.NextAsync(), await subscriber.NextAsync() };
        Assert.All(messages, message => Assert.Equal("removed", message.GetProperty("msg").GetString()));
        Assert.Equal(new[] { boards, detail, list }.Order(), messages.Select(message => message.GetProperty("observer").GetString()!).Order());
        Assert.Empty(subscriber.View(list));
        Assert.Empty(subscriber.View(detail));
        Assert.Empty(subscriber.View(boards));
    }

    [Fact]
    public async Task The_same_query_in_any_parameter_order_is_the_same_observer()
    {
        var board = await _api.CreateBoardAsync();
        await using var one = await Subscriber.ConnectAsync(app);
        await using var two = await Subscriber.ConnectAsync(app);

        var a = await one.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}&done=false&ordering=-position");
        var b = await two.ObserveAsync(_api, $"/api/tasks?ordering=-position&done=false&boardId={board.Id()}");
        var c = await two.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}&done=true");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("^[0-9a-f]{32}$", a);
    }

    [Fact]
    public async Task A_subscriber_receives_messages_only_for_its_own_observers()
    {
        var mine = await _api.CreateBoardAsync();
        var theirs = await _api.CreateBoardAsync();
        await using var me = await Subscriber.ConnectAsync(app);
        await using var them = await Subscriber.ConnectAsync(app);
        var myObserver = await me.ObserveAsync(_api, $"/api/tasks?boardId={mine.Id()}");
        var theirObserver = await them.ObserveAsync(_api, $"/api/tasks?boardId={theirs.Id()}");

        await _api.CreateTaskAsync(mine.Id(), "mine");
        await _api.CreateTaskAsync(theirs.Id(), "theirs");

        var myMessage = await me.NextAsync();
        var theirMessage = await them.NextAsync();
        Assert.Equal(myObserver, myMessage.GetProperty("observer").GetString());
        Assert.Equal("mine", myMessage.GetProperty("item").GetProperty("title").GetString());
        Assert.Equal(theirObserver, theirMessage.GetProperty("observer").GetString());
        // Written after both: each subscriber's next frame is its own sentinel, not the other's task.
        await me.AssertNothingBeforeAsync(() => _api.CreateTaskAsync(mine.Id(), "my sentinel"));
        await them.AssertNothingBeforeAsync(() => _api.CreateTaskAsync(theirs.Id(), "their sentinel"));
    }

    [Fact]
    public async Task Identical_queries_share_one_observer_and_one_evaluation_per_change()
    {
        // A user of its own: another test's new board would re-evaluate every observer of a shared user.
        var user = TestUsers.Unique("shared-observer");
        using var api = app.CreateApiClient(user);
        var board = await api.CreateBoardAsync();
        var subscribers = new List<Subscriber>();
        for (var i = 0; i < 5; i++)
        {
            subscribers.Add(await Subscriber.ConnectAsync(app, user: user));
        }

        try
        {
            var observer = "";
            foreach (var subscriber in subscribers)
            {
                observer = await subscriber.ObserveAsync(api, $"/api/tasks?boardId={board.Id()}");
            }

            var before = await SettledEvaluationsAsync(observer, user);
            Assert.Equal(5, before.GetProperty("subscribers").GetInt32());

            await api.CreateTaskAsync(board.Id(), "one change");
            foreach (var subscriber in subscribers)
            {
                Assert.Equal("added", (await subscriber.NextAsync()).GetProperty("msg").GetString());
            }

            var after = await SettledEvaluationsAsync(observer, user);
            Assert.Equal(before.GetProperty("evaluations").GetInt64() + 1, after.GetProperty("evaluations").GetInt64());
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    /// <summary>The observer's statistics, as the observers worker exposes them, once every counted change has been evaluated.</summary>
    private async Task<JsonElement> SettledEvaluationsAsync(string observer, string user)
    {
        using var observers = app.CreateObserversClient(user);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var (status, stats) = await observers.GetJsonAsync($"/api/queryobserver/{observer}");
            Assert.Equal(HttpStatusCode.OK, status);
            if (stats.GetProperty("changes").GetInt64() == stats.GetProperty("evaluated").GetInt64())
            {
                return stats;
            }

            await Task.Delay(50, Cancellation);
        }

        throw new TimeoutException($"Observer {observer} did not settle.");
    }
}
