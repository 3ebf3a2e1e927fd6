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
        // Evaluations coalesce writes, so write until some log has moved well past its cap, well within the grace period.
        var away = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; !await AnyLogMovedAsync(positions, 2 * ReactiveRestApp.MaxLogMessages); round++)
        {
            Assert.True(away.Elapsed < ReactiveRestApp.GracePeriod / 2, "Could not write enough within the grace period.");
            await WriteManyAsync(boards, count: ReactiveRestApp.MaxLogMessages, seed: round + (resume ? 100 : 0));
        }

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

        await Task.Delay(500, Cancellation);
        subscriber.ResumeReading();

        for (var i = 0; i < urls.Length; i++)
        {
            await Convergence.AssertConvergesAsync(_api, subscriber, observers[i], urls[i], TimeSpan.FromSeconds(30));
        }

        Assert.Null(subscriber.CloseStatus);
        Assert.True(subscriber.ResyncMessages > 0, "The server never fell behind: the test proves nothing.");
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

    private async Task<bool> AnyLogMovedAsync(Dictionary<string, long> positions, long by)
    {
        foreach (var (observer, position) in positions)
        {
            var (_, stats) = await _api.GetJsonAsync($"/api/queryobserver/{observer}");
            if (stats.GetProperty("seq").GetInt64() - position > by)
            {
                return true;
            }
        }

        return false;
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
