using System.Text.Json;
using Aspire.Hosting.Testing;
using Npgsql;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// A write evaluates only the observers it can affect, and every write reaches them, including one made directly in
/// PostgreSQL. "Nothing arrives" is proven by a sentinel write that must arrive, with nothing before it.
/// </summary>
public sealed class InvalidationTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_write_no_filter_can_match_evaluates_nothing_and_sends_nothing()
    {
        // A user of its own: another test's new board would re-evaluate every observer of a shared user.
        var user = TestUsers.Unique("invalidation");
        using var _api = app.CreateApiClient(user);
        var board = await _api.CreateBoardAsync();
        var done = await _api.CreateTaskAsync(board.Id(), "already done", done: true);
        await using var subscriber = await Subscriber.ConnectAsync(app, user: user);
        var undone = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}&done=false");
        var withX = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}&title__icontains=xyz");

        // Counted from a known point: the first task's change and the evaluations the observe GETs requested may still be
        // on their way (each is one more evaluation) until a later write that both observers see has reached them.
        await _api.CreateTaskAsync(board.Id(), "warm xyz");
        var warm = new[] { await subscriber.NextAsync(), await subscriber.NextAsync() };
        Assert.All(warm, message => Assert.Equal("warm xyz", message.GetProperty("item").GetProperty("title").GetString()));
        var before = await SettledEvaluationsAsync(_api, undone);
        var beforeX = await SettledEvaluationsAsync(_api, withX);

        using (var renamed = await _api.PatchAsJsonAsync($"/api/tasks/{done.Id()}", new { title = "still done" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }

        await _api.CreateTaskAsync(board.Id(), "sentinel xyz");
        var first = await subscriber.NextAsync();
        var second = await subscriber.NextAsync();
        Assert.All([first, second], message => Assert.Equal("sentinel xyz", message.GetProperty("item").GetProperty("title").GetString()));
        Assert.Equal(before + 1, await SettledEvaluationsAsync(_api, undone));
        Assert.Equal(beforeX + 1, await SettledEvaluationsAsync(_api, withX));
    }

    [Fact]
    public async Task A_write_made_directly_in_postgresql_reaches_subscribers()
    {
        var board = await _api.CreateBoardAsync();
        var task = await _api.CreateTaskAsync(board.Id(), "via the API");
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var url = $"/api/tasks?boardId={board.Id()}";
        var observer = await subscriber.ObserveAsync(_api, url);

        await using (var connection = new NpgsqlConnection(await app.App.GetConnectionStringAsync("reactivedb", Cancellation)))
        {
            await connection.OpenAsync(Cancellation);
            await using var update = new NpgsqlCommand($"UPDATE tasks SET title = 'via psql', done = true WHERE id = {task.Id()}", connection);
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Cancellation));
        }

        var changed = await subscriber.NextAsync();
        Assert.Equal("changed", changed.GetProperty("msg").GetString());
        Assert.Equal("via psql", changed.GetProperty("item").GetProperty("title").GetString());
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
    }

    private static async Task<long> SettledEvaluationsAsync(HttpClient api, string observer)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (status, stats) = await api.GetJsonAsync($"/api/queryobserver/{observer}");
            Assert.Equal(HttpStatusCode.OK, status);
            if (stats.GetProperty("changes").GetInt64() == stats.GetProperty("evaluated").GetInt64())
            {
                return stats.GetProperty("evaluations").GetInt64();
            }

            Assert.True(DateTime.UtcNow < deadline, $"Observer {observer} did not settle in 10 s: {stats.GetRawText()}");

            await Task.Delay(50, Cancellation);
        }
    }

    internal static string Render(JsonElement element) => element.GetRawText();
}
