using Aspire.Hosting.Testing;
using Npgsql;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// No cap ever yields a wrong list: a backlog longer than the log keeps (64 messages in these tests) is collapsed into
/// one diff from what the subscriber was sent to the current result, in the protocol's own vocabulary.
/// </summary>
public sealed class BacklogTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_subscriber_away_past_the_cap_comes_back_to_exact_lists(bool resume)
    {
        var boards = new[] { (await _api.CreateBoardAsync()).Id(), (await _api.CreateBoardAsync()).Id() };
        var urls = boards.Select(board => $"/api/tasks?boardId={board}&ordering=position").Append($"/api/tasks?boardId__in={boards[0]},{boards[1]}&ordering=-updatedAt&limit=7").ToArray();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observers = new List<string>();
        foreach (var url in urls)
        {
            observers.Add(await subscriber.ObserveAsync(_api, url));
        }

        var positions = observers.ToDictionary(observer => observer, subscriber.Seq);
        await subscriber.CloseAsync();
        // Straight to the database (captured like any write), each statement a commit of its own: a statement takes
        // milliseconds whatever the machine's load, so the backlog passes the cap well within the grace period. A list
        // shows at most 100 rows and evaluations coalesce writes, so the first board's log passes twice the cap of 64 in
        // two evaluations: 100 rows added, then all 100 renamed. Waits have deadlines; no write races the clock.
        var away = System.Diagnostics.Stopwatch.StartNew();
        await using var database = new NpgsqlConnection(await app.App.GetConnectionStringAsync("reactivedb", Cancellation));
        await database.OpenAsync(Cancellation);
        await ExecuteAsync(database, $"""
            INSERT INTO tasks (board_id, title, done, position, created_at, updated_at)
            SELECT {boards[0]}, 'away ' || n, false, (n * 37) % 100, now(), now() FROM generate_series(1, 100) AS n
            """);
        await WaitForLogAsync(positions, observers[0], ListQuery.DefaultLimit, away);
        await ExecuteAsync(database, $"UPDATE tasks SET title = title || ' renamed', updated_at = now() WHERE board_id = {boards[0]}");
        await WriteRandomlyAsync(database, boards, seed: resume ? 100 : 0);
        await WaitForLogAsync(positions, observers[0], 2 * ReactiveRestApp.MaxLogMessages + 1, away);

        await subscriber.OpenAsync(app, resume);
        for (var i = 0; i < urls.Length; i++)
        {
            await Convergence.AssertConvergesAsync(_api, subscriber, observers[i], urls[i]);
        }

        Assert.True(subscriber.ResyncMessages > 0, "The backlog was not longer than the log: the test proves nothing.");
    }

    [Fact]
    public async Task A_slow_reader_that_stops_reading_still_ends_with_exact_lists()
    {
        var board = (await _api.CreateBoardAsync()).Id();
        // Twenty views of one board: each write is twenty large messages, more than the sockets' buffers hold.
        var urls = Enumerable.Range(0, 20).Select(i => $"/api/tasks?boardId={board}&ordering={(i % 2 == 0 ? "position" : "-title")}&limit={50 + i}").ToArray();
        await using var subscriber = await Subscriber.ConnectAsync(app, receiveBufferBytes: 4096);
        var observers = new List<string>();
        foreach (var url in urls)
        {
            observers.Add(await subscriber.ObserveAsync(_api, url));
        }

        subscriber.PauseReading();
        // Well beyond what the sockets can buffer (a few MB), however evaluations coalesce the writes.
        var positions = observers.ToDictionary(observer => observer, subscriber.Seq);
        for (var round = 0; round < 30 && await PublishedBytesAsync(positions, bytesPerMessage: 500) < 12_000_000; round++)
        {
            await WriteManyAsync([board], count: 100, seed: 3 + round, titleLength: 450);
        }

        // Every write evaluated and in the logs before the reader comes back, so that it is behind by all of them.
        foreach (var observer in observers)
        {
            await WaitUntilEvaluatedAsync(observer);
        }

        subscriber.ResumeReading();

        for (var i = 0; i < urls.Length; i++)
        {
            await Convergence.AssertConvergesAsync(_api, subscriber, observers[i], urls[i], TimeSpan.FromSeconds(30));
        }

        subscriber.AssertConnected();
        Assert.True(subscriber.ResyncMessages > 0, "The server never fell behind: the test proves nothing.");
    }

    private async Task WaitUntilEvaluatedAsync(string observer)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.JsonElement stats;
        while ((stats = (await _api.GetJsonAsync($"/api/queryobserver/{observer}")).Body).GetProperty("changes").GetInt64() != stats.GetProperty("evaluated").GetInt64())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Observer {observer} did not evaluate its changes in 30 s: {stats.GetRawText()}");
            await Task.Delay(50, Cancellation);
        }
    }

    private async Task<long> PublishedBytesAsync(Dictionary<string, long> positions, int bytesPerMessage)
    {
        long messages = 0;
        foreach (var (observer, position) in positions)
        {
            messages += (await _api.GetJsonAsync($"/api/queryobserver/{observer}")).Body.GetProperty("seq").GetInt64() - position;
        }

        return messages * bytesPerMessage;
    }

    /// <summary>Waits until the observer's log has moved by at least <paramref name="by"/> since the subscriber left.</summary>
    private async Task WaitForLogAsync(Dictionary<string, long> positions, string observer, long by, System.Diagnostics.Stopwatch away)
    {
        long moved;
        while ((moved = (await _api.GetJsonAsync($"/api/queryobserver/{observer}")).Body.GetProperty("seq").GetInt64() - positions[observer]) < by)
        {
            Assert.True(away.Elapsed < ReactiveRestApp.GracePeriod - TimeSpan.FromSeconds(1),
                $"The log moved by {moved} of {by} messages in {away.Elapsed.TotalSeconds:0.0} s: too slow for the grace period.");
            await Task.Delay(50, Cancellation);
        }
    }

    /// <summary>Random moves between the boards and renames, each a commit of its own.</summary>
    private static async Task WriteRandomlyAsync(NpgsqlConnection connection, int[] boards, int seed)
    {
        var random = new Random(seed);
        for (var statement = 0; statement < 20; statement++)
        {
            var row = $"(SELECT id FROM tasks WHERE board_id IN ({boards[0]}, {boards[1]}) ORDER BY id OFFSET {random.Next(100)} LIMIT 1)";
            await ExecuteAsync(connection, random.Next(2) == 0
                ? $"UPDATE tasks SET board_id = {boards[random.Next(boards.Length)]}, position = {random.Next(100)}, updated_at = now() WHERE id = {row}"
                : $"UPDATE tasks SET title = '{Title(random, 10)}', done = NOT done, updated_at = now() WHERE id = {row}");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancellation);
    }

    /// <summary>Random creates, moves and renames, sixteen at a time.</summary>
    private async Task WriteManyAsync(int[] boards, int count, int seed, int titleLength = 10)
    {
        var random = new Random(seed);
        var tasks = new int[10];
        await Parallel.ForAsync(0, tasks.Length, Cancellation, async (i, _) =>
            tasks[i] = (await _api.CreateTaskAsync(boards[i % boards.Length], Title(random, titleLength), position: i)).Id());

        var writes = Enumerable.Range(0, count).Select(i => (Kind: random.Next(4), Task: tasks[random.Next(tasks.Length)], Board: boards[random.Next(boards.Length)], Title: Title(random, titleLength), Position: random.Next(20))).ToList();
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation }, async (write, token) =>
        {
            using var response = write.Kind switch
            {
                0 => await _api.PostAsJsonAsync("/api/tasks", new { boardId = write.Board, title = write.Title, position = write.Position }, token),
                1 => await _api.PatchAsJsonAsync($"/api/tasks/{write.Task}", new { boardId = write.Board, position = write.Position }, token),
                _ => await _api.PatchAsJsonAsync($"/api/tasks/{write.Task}", new { title = write.Title, done = write.Position % 2 == 0 }, token),
            };
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
        });
    }

    private static string Title(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26)))]);
}
