using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// The guarantees under concurrency: writes racing the subscription are neither lost nor applied twice, and with
/// random writers and subscribers coming and going every subscriber ends with exactly what a fresh GET returns.
/// Bounded in writes and time; seeded so a failure can be replayed.
/// </summary>
public sealed class RaceAndConvergenceTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_racing_the_subscription_are_neither_lost_nor_applied_twice()
    {
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}&ordering=-id&limit=5";
        var subscribers = new List<(Subscriber Subscriber, string Observer)>();
        var writer = Task.Run(
            async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                var task = await _api.CreateTaskAsync(board.Id(), $"race {i}");
                if (i % 3 == 0)
                {
                    using var done = await _api.PatchAsJsonAsync($"/api/tasks/{task.Id()}", new { done = true }, Cancellation);
                }
            }
        }, Cancellation);

        try
        {
            while (!writer.IsCompleted || subscribers.Count < 3)
            {
                var subscriber = await Subscriber.ConnectAsync(app);
                subscribers.Add((subscriber, await subscriber.ObserveAsync(_api, url)));
            }

            await writer;
            foreach (var (subscriber, observer) in subscribers)
            {
                await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
            }
        }
        finally
        {
            foreach (var (subscriber, _) in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Random_writers_and_subscribers_converge_to_a_fresh_get(int seed)
    {
        var random = new Random(seed);
        var boards = new[] { (await _api.CreateBoardAsync()).Id(), (await _api.CreateBoardAsync()).Id() };
        var tasks = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            tasks.Add((await _api.CreateTaskAsync(boards[i % 2], $"seed {(char)('a' + i)}", done: i % 3 == 0, position: random.Next(5))).Id());
        }

        var observedTask = tasks[0];
        string[] queries =
        [
            $"/api/tasks?boardId={boards[0]}&ordering=position",
            $"/api/tasks?boardId__in={boards[0]},{boards[1]}&done=false&ordering=-position&limit=3&offset=1",
            $"/api/tasks?boardId={boards[1]}&title__icontains=e&ordering=title",
            $"/api/tasks?boardId__in={boards[0]},{boards[1]}&ordering=-updatedAt&limit=4",
            $"/api/tasks/{observedTask}",
        ];

        var active = new List<(Subscriber Subscriber, string Observer, string Url)>();
        var left = new List<Subscriber>();
        try
        {
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                var writerRandom = new Random(seed * 100 + w);
                for (var step = 0; step < 25; step++)
                {
                    await RandomWriteAsync(writerRandom, boards, tasks, protectedTask: observedTask);
                }
            }, Cancellation)).ToArray();

            while (!Task.WhenAll(writers).IsCompleted)
            {
                if (active.Count < 6 && random.Next(3) > 0)
                {
                    var subscriber = await Subscriber.ConnectAsync(app);
                    var url = queries[random.Next(queries.Length)];
                    active.Add((subscriber, await subscriber.ObserveAsync(_api, url), url));
                }
                else if (active.Count > 2)
                {
                    var leaving = active[random.Next(active.Count)];
                    active.Remove(leaving);
                    using var response = await _api.PostAsync($"/api/queryobserver/unsubscribe?observer={leaving.Observer}&subscriber={leaving.Subscriber.Id}", null, Cancellation);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    left.Add(leaving.Subscriber);
                }

                await Task.Delay(random.Next(30), Cancellation);
            }

            await Task.WhenAll(writers);
            foreach (var (subscriber, observer, url) in active)
            {
                await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
            }
        }
        finally
        {
            foreach (var subscriber in active.Select(entry => entry.Subscriber).Concat(left))
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    /// <param name="protectedTask">Never deleted: a detail query observes it, and observing a missing item is a 404.</param>
    private async Task RandomWriteAsync(Random random, int[] boards, List<int> tasks, int protectedTask)
    {
        int[] snapshot;
        lock (tasks)
        {
            snapshot = [.. tasks];
        }

        var target = snapshot.Length > 0 ? snapshot[random.Next(snapshot.Length)] : 0;
        switch (random.Next(5))
        {
            case 0:
                var created = await _api.CreateTaskAsync(boards[random.Next(2)], $"new {random.Next(1000)}", done: random.Next(2) == 0, position: random.Next(6));
                lock (tasks)
                {
                    tasks.Add(created.Id());
                }

                break;
            case 1:
                using (var moved = await _api.PatchAsJsonAsync($"/api/tasks/{target}", new { boardId = boards[random.Next(2)], position = random.Next(6) }, Cancellation))
                {
                    Assert.True(moved.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound);
                }

                break;
            case 2:
                using (var renamed = await _api.PatchAsJsonAsync($"/api/tasks/{target}", new { title = $"renamed {random.Next(1000)}", done = random.Next(2) == 0 }, Cancellation))
                {
                    Assert.True(renamed.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound);
                }

                break;
            case 3 when target != protectedTask:
                using (var deleted = await _api.DeleteAsync($"/api/tasks/{target}", Cancellation))
                {
                    Assert.True(deleted.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound);
                }

                lock (tasks)
                {
                    tasks.Remove(target);
                }

                break;
            default:
                using (var replaced = await _api.PutAsJsonAsync($"/api/tasks/{target}", new { boardId = boards[random.Next(2)], title = $"replaced {random.Next(1000)}", position = random.Next(6) }, Cancellation))
                {
                    Assert.True(replaced.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound);
                }

                break;
        }
    }
}
