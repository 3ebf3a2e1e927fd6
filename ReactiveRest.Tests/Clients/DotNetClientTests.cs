using System.Net.Http.Headers;
using System.Text.Json;
using Aspire.Hosting.Testing;
using ReactiveRest.Client;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Clients;

/// <summary>
/// The .NET client (ReactiveRest.Client) against the running stack: its lists equal fresh GETs under concurrent writes,
/// through reconnects, resumes, resync runs and expiry. The tests' own <see cref="Subscriber"/> stays the oracle of
/// the wire protocol; these check the client on top of it.
/// </summary>
public sealed class DotNetClientTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_writes_leave_every_observed_list_equal_to_a_fresh_get()
    {
        var seed = Environment.TickCount;
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        var tasks = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            tasks.Add((await api.CreateTaskAsync(board, $"t{random.Next(100):D2}", random.Next(2) == 0, random.Next(30))).Id());
        }

        string[] queries =
        [
            $"/api/tasks?boardId={board}&ordering=position",
            $"/api/tasks?boardId={board}&ordering=-title&limit=5",
            $"/api/tasks?boardId={board}&done=true&ordering=-updatedAt&limit=4&offset=1",
            $"/api/tasks?boardId={board}&ordering=position,-id&limit=3&offset=2",
            $"/api/tasks?boardId={board}&title__icontains=1",
            $"/api/tasks/{tasks[random.Next(tasks.Count)]}",
            $"/api/boardstats/{board}",
        ];

        // Two clients, so that lists share a socket and sockets are several.
        await using var first = NewClient(token);
        await using var second = NewClient(token);
        var views = new List<LiveView<JsonElement>>();
        try
        {
            foreach (var (query, index) in queries.Select((query, index) => (query, index)))
            {
                views.Add(new LiveView<JsonElement>(index % 2 == 0 ? first : second, query));
            }

            await Task.WhenAll(views.Select(view => view.WaitForAsync(_ => true)));
            var writers = Enumerable.Range(0, 3).Select(writer => WriteRandomlyAsync(api, board, tasks, new Random(seed + writer + 1), writes: 25)).ToList();

            // One list observed while the writes run: its messages may arrive before its GET answers.
            views.Add(new LiveView<JsonElement>(second, $"/api/tasks?boardId={board}&ordering=-position,title&limit=7"));
            await Task.WhenAll(writers);

            foreach (var view in views)
            {
                await AssertConvergesAsync(api, view);
            }
        }
        finally
        {
            foreach (var view in views)
            {
                await view.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_detail_path_is_a_list_of_one_item_until_the_item_is_deleted()
    {
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        var task = (await api.CreateTaskAsync(board, "detail")).Id();
        await using var client = NewClient(token);
        await using var view = new LiveView<TaskDto>(client, $"/api/tasks/{task}");

        var initial = Assert.Single(await view.WaitForAsync(items => items.Count == 1));
        Assert.Equal((task, board, "detail", false), (initial.Id, initial.BoardId, initial.Title, initial.Done));

        using (var renamed = await api.PatchAsJsonAsync($"/api/tasks/{task}", new { title = "renamed", done = true }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }

        var changed = Assert.Single(await view.WaitForAsync(items => items is [{ Title: "renamed" }]));
        Assert.True(changed.Done);
        Assert.True(changed.UpdatedAt > initial.UpdatedAt);

        using (var deleted = await api.DeleteAsync($"/api/tasks/{task}", Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await view.WaitForAsync(items => items.Count == 0, what: "empty after the delete");
    }

    [Fact]
    public async Task Ending_the_enumeration_unsubscribes()
    {
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        var url = $"/api/tasks?boardId={board}";
        await using var client = NewClient(token);
        var view = new LiveView<JsonElement>(client, url);
        await view.WaitForAsync(_ => true);

        // A sentinel subscriber of the same query (same observer): the count of subscribers shows the client's.
        var sentinel = "sentinel" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await api.GetJsonAsync($"{url}&observe={sentinel}");
        Assert.Equal(HttpStatusCode.OK, status);
        var observer = body.GetProperty("observer").GetString()!;
        Assert.Equal(2, await SubscribersAsync(api, observer));

        await view.DisposeAsync();
        Assert.True(view.Completion.IsCanceled);
        await WaitUntilAsync(async () => await SubscribersAsync(api, observer) == 1, "the client's subscription ended");

        using var unsubscribed = await api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={sentinel}", null, Cancellation);
        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
    }

    [Fact]
    public async Task After_the_socket_is_cut_the_lists_resume_exactly_with_the_writes_made_meanwhile()
    {
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        await api.CreateTaskAsync(board, "before");
        await using var client = NewClient(token);
        var states = RecordStates(client);
        await using var all = new LiveView<JsonElement>(client, $"/api/tasks?boardId={board}&ordering=position");
        await using var newest = new LiveView<JsonElement>(client, $"/api/tasks?boardId={board}&ordering=-id&limit=3");
        await all.WaitForAsync(items => items.Count == 1);
        await newest.WaitForAsync(items => items.Count == 1);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Live), "live");

        var away = new TaskCompletionSource();
        client.AbortConnection(reconnectAfter: away.Task);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Reconnecting), "reconnecting");
        for (var i = 0; i < 8; i++)
        {
            await api.CreateTaskAsync(board, $"while away {i}");
        }

        away.SetResult();
        await AssertConvergesAsync(api, all);
        await AssertConvergesAsync(api, newest);
        Assert.Equal(9, all.Latest!.Count);
        Assert.Equal(ConnectionState.Live, client.State);
        lock (states)
        {
            // Connected, cut, back: continued exactly, so never resynced.
            Assert.Equal([ConnectionState.Connecting, ConnectionState.Live, ConnectionState.Reconnecting, ConnectionState.Live], states);
        }
    }

    [Fact]
    public async Task When_its_token_expires_the_client_reconnects_with_a_fresh_one_from_its_provider_and_loses_no_message()
    {
        // Every token the provider hands out lasts three seconds: the socket is closed with 4001 every few seconds.
        var user = TestUsers.Current;
        var issued = 0;
        using var api = app.CreateApiClient();
        var board = (await api.CreateBoardAsync()).Id();
        await using var client = new ReactiveClient(new ReactiveClientOptions
        {
            ApiUrl = app.App.GetEndpoint("api", "http"),
            ObserversUrl = app.App.GetEndpoint("observers", "http"),
            TokenProvider = _ =>
            {
                Interlocked.Increment(ref issued);
                return ValueTask.FromResult<string?>(TestUsers.Mint(new Dictionary<string, object> { ["sub"] = user }, expires: DateTime.UtcNow.AddSeconds(3)));
            },
        });
        var states = RecordStates(client);
        await using var all = new LiveView<JsonElement>(client, $"/api/tasks?boardId={board}&ordering=position");
        await all.WaitForAsync(items => items.Count == 0);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Live), "live");

        // Writes all along, through at least two expiries.
        var deadline = DateTime.UtcNow.AddSeconds(8);
        var written = 0;
        while (DateTime.UtcNow < deadline)
        {
            await api.CreateTaskAsync(board, $"task {written++}");
            await Task.Delay(100, Cancellation);
        }

        await AssertConvergesAsync(api, all);
        Assert.Equal(written, all.Latest!.Count);
        Assert.Equal(ConnectionState.Live, client.State);
        lock (states)
        {
            // Reconnected after each expiry and continued exactly: never resynced, never stopped.
            Assert.True(states.Count(state => state == ConnectionState.Reconnecting) >= 2, $"Not reconnected twice: {string.Join(", ", states)}");
            Assert.DoesNotContain(ConnectionState.Resynced, states);
            Assert.DoesNotContain(ConnectionState.Closed, states);
        }
    }

    [Fact]
    public async Task With_RenewTokenBefore_the_client_sends_fresh_tokens_on_the_socket_and_is_never_closed()
    {
        // Four-second tokens, renewed two seconds before they expire: the socket outlives several of them.
        var user = TestUsers.Current;
        using var api = app.CreateApiClient();
        var board = (await api.CreateBoardAsync()).Id();
        await using var client = new ReactiveClient(new ReactiveClientOptions
        {
            ApiUrl = app.App.GetEndpoint("api", "http"),
            ObserversUrl = app.App.GetEndpoint("observers", "http"),
            TokenProvider = _ => ValueTask.FromResult<string?>(TestUsers.Mint(new Dictionary<string, object> { ["sub"] = user }, expires: DateTime.UtcNow.AddSeconds(4))),
            RenewTokenBefore = TimeSpan.FromSeconds(2),
        });
        var states = RecordStates(client);
        await using var all = new LiveView<JsonElement>(client, $"/api/tasks?boardId={board}&ordering=position");
        await all.WaitForAsync(items => items.Count == 0);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Live), "live");

        var deadline = DateTime.UtcNow.AddSeconds(9);
        var written = 0;
        while (DateTime.UtcNow < deadline)
        {
            await api.CreateTaskAsync(board, $"task {written++}");
            await Task.Delay(100, Cancellation);
        }

        await AssertConvergesAsync(api, all);
        Assert.Equal(written, all.Latest!.Count);
        lock (states)
        {
            // One connection all along: never closed with 4001.
            Assert.Equal([ConnectionState.Connecting, ConnectionState.Live], states);
        }
    }

    [Fact]
    public async Task A_backlog_longer_than_the_log_arrives_as_a_resync_run_and_the_list_is_exact()
    {
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        await using var client = NewClient(token);
        var states = RecordStates(client);
        await using var view = new LiveView<JsonElement>(client, $"/api/tasks?boardId={board}&ordering=position");
        await view.WaitForAsync(_ => true);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Live), "live");

        var away = new TaskCompletionSource();
        client.AbortConnection(reconnectAfter: away.Task);
        var writes = ReactiveRestApp.MaxLogMessages + 16;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
        {
            for (var i = writer; i < writes; i += 4)
            {
                await api.CreateTaskAsync(board, $"away {i}", position: i);
            }
        }));

        away.SetResult();
        await AssertConvergesAsync(api, view);
        Assert.Equal(writes, view.Latest!.Count);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Resynced), "resynced");
        Assert.Contains(ConnectionState.Resynced, states);
    }

    [Fact]
    public async Task Back_after_the_grace_period_the_client_observes_again_and_says_resynced()
    {
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        var url = $"/api/tasks?boardId={board}&ordering=-id&limit=4";
        await using var client = NewClient(token);
        await using var view = new LiveView<JsonElement>(client, url);
        await view.WaitForAsync(_ => true);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Live), "live");
        var observer = await ObserverOfAsync(api, url);

        var away = new TaskCompletionSource();
        client.AbortConnection(reconnectAfter: away.Task);
        for (var i = 0; i < 6; i++)
        {
            await api.CreateTaskAsync(board, $"while gone {i}");
        }

        await WaitUntilAsync(async () =>
        {
            using var stats = await api.GetAsync($"/api/queryobserver/{observer}", Cancellation);
            return stats.StatusCode == HttpStatusCode.NotFound;
        }, "the observer dropped after the grace period", ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(20));

        away.SetResult();
        await AssertConvergesAsync(api, view);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Resynced), "resynced");

        // Observed again for real: later writes keep arriving.
        await api.CreateTaskAsync(board, "after");
        await view.WaitForAsync(items => items.Count > 0 && items[0].GetProperty("title").GetString() == "after", what: "with the write after the return");
    }

    [Fact]
    public async Task A_connection_that_takes_the_subscriber_over_ends_the_client_for_good()
    {
        var (api, token) = await ApiAsync();
        var board = (await api.CreateBoardAsync()).Id();
        var id = "takeover" + Guid.NewGuid().ToString("N")[..8];
        await using var client = NewClient(token, id);
        await using var view = new LiveView<JsonElement>(client, $"/api/tasks?boardId={board}");
        await view.WaitForAsync(_ => true);
        await WaitUntilAsync(() => Task.FromResult(client.State == ConnectionState.Live), "live");

        // Another process connects as the same subscriber: the server closes the client's socket with 4000.
        using var other = new System.Net.WebSockets.ClientWebSocket();
        await other.ConnectAsync(Subscriber.WebSocketUri(app, $"/ws/{id}" + (token is null ? "" : $"?access_token={Uri.EscapeDataString(token)}"), user: null), Cancellation);

        var error = await Assert.ThrowsAsync<ReactiveConnectionException>(() => view.Completion.WaitAsync(TimeSpan.FromSeconds(20), Cancellation));
        Assert.Contains(id, error.Message);
        Assert.Equal(ConnectionState.Closed, client.State);
        await Assert.ThrowsAsync<ReactiveConnectionException>(async () =>
        {
            await foreach (var _ in client.ObserveAsync<JsonElement>($"/api/tasks?boardId={board}", Cancellation))
            {
            }
        });
    }

    [Fact]
    public async Task A_refused_get_throws_with_the_status_and_the_problem()
    {
        var (_, token) = await ApiAsync();
        await using var client = NewClient(token);

        var invalid = await Assert.ThrowsAsync<ReactiveApiException>(async () =>
        {
            await foreach (var _ in client.ObserveAsync<JsonElement>("/api/tasks?limit=0&bogus=1", Cancellation))
            {
            }
        });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.NotNull(invalid.Problem?.Errors);
        Assert.Contains("limit", invalid.Problem.Errors.Keys);
        Assert.Contains("bogus", invalid.Problem.Errors.Keys);
        Assert.Equal(400, invalid.Problem.Status);

        var missing = await Assert.ThrowsAsync<ReactiveApiException>(async () =>
        {
            await foreach (var _ in client.ObserveAsync<TaskDto>("/api/tasks/2147483647", Cancellation))
            {
            }
        });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("2147483647", missing.Problem?.Detail);
    }

    /// <summary>
    /// An API client, with a token from the development token endpoint when the server has one (issue 8); without,
    /// while every client is anonymous.
    /// </summary>
    private async Task<(HttpClient Api, string? Token)> ApiAsync()
    {
        var api = app.CreateApiClient();
        using var response = await api.PostAsJsonAsync("/api/dev/token", new { user = "alice" }, Cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (api, null);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.ReadJsonAsync()).GetProperty("token").GetString()!;
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (api, token);
    }

    private ReactiveClient NewClient(string? token, string? subscriberId = null) => new(new ReactiveClientOptions
    {
        SubscriberId = subscriberId,
        ApiUrl = app.App.GetEndpoint("api", "http"),
        ObserversUrl = app.App.GetEndpoint("observers", "http"),
        TokenProvider = token is null ? null : _ => ValueTask.FromResult<string?>(token),
    });

    private static List<ConnectionState> RecordStates(ReactiveClient client)
    {
        var states = new List<ConnectionState> { client.State };
        client.StateChanged += (_, state) =>
        {
            lock (states)
            {
                states.Add(state);
            }
        };
        return states;
    }

    private static async Task WriteRandomlyAsync(HttpClient api, int board, List<int> tasks, Random random, int writes)
    {
        for (var write = 0; write < writes; write++)
        {
            int? target;
            lock (tasks)
            {
                target = tasks.Count > 0 ? tasks[random.Next(tasks.Count)] : null;
            }

            switch (target is null ? 0 : random.Next(6))
            {
                case 0 or 1:
                    var created = await api.CreateTaskAsync(board, $"t{random.Next(100):D2}", random.Next(2) == 0, random.Next(30));
                    lock (tasks)
                    {
                        tasks.Add(created.Id());
                    }

                    break;
                case 2:
                    (await api.PatchAsJsonAsync($"/api/tasks/{target}", new { title = $"t{random.Next(100):D2}" }, Cancellation)).Dispose();
                    break;
                case 3:
                    (await api.PatchAsJsonAsync($"/api/tasks/{target}", new { done = random.Next(2) == 0 }, Cancellation)).Dispose();
                    break;
                case 4:
                    (await api.PatchAsJsonAsync($"/api/tasks/{target}", new { position = random.Next(30) }, Cancellation)).Dispose();
                    break;
                default:
                    lock (tasks)
                    {
                        tasks.Remove(target!.Value);
                    }

                    (await api.DeleteAsync($"/api/tasks/{target}", Cancellation)).Dispose();
                    break;
            }
        }
    }

    /// <summary>Waits until the view's newest snapshot equals a fresh GET of its path, item for item; fails with both.</summary>
    private static async Task AssertConvergesAsync(HttpClient api, LiveView<JsonElement> view)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string expected = "", actual = "";
        while (DateTime.UtcNow < deadline)
        {
            expected = await FreshAsync(api, view.Path);
            var left = deadline - DateTime.UtcNow;
            try
            {
                var snapshot = await view.WaitForAsync(items => Render(items) == expected, TimeSpan.FromSeconds(1) < left ? TimeSpan.FromSeconds(1) : left);
                actual = Render(snapshot);
                return;
            }
            catch (Xunit.Sdk.FailException)
            {
                // Not yet, or the fresh GET itself is older than a write still in flight: look again.
                actual = view.Latest is { } latest ? Render(latest) : "none";
            }
        }

        Assert.Fail($"{view.Path} did not converge.\nexpected: {expected}\nactual:   {actual}");
    }

    private static async Task<string> FreshAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path, Cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return "[]";
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        return body.TryGetProperty("results", out var results) ? Render([.. results.EnumerateArray()]) : Render([body]);
    }

    private static string Render(IReadOnlyList<JsonElement> items) => "[" + string.Join(",", items.Select(item => item.GetRawText())) + "]";

    /// <summary>The observer of a query, learnt by a sentinel subscriber that leaves at once (same query, same observer).</summary>
    private static async Task<string> ObserverOfAsync(HttpClient api, string url)
    {
        var sentinel = "sentinel" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await api.GetJsonAsync($"{url}&observe={sentinel}");
        Assert.Equal(HttpStatusCode.OK, status);
        var observer = body.GetProperty("observer").GetString()!;
        using var unsubscribed = await api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={sentinel}", null, Cancellation);
        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
        return observer;
    }

    private static async Task<int> SubscribersAsync(HttpClient api, string observer)
    {
        var (status, stats) = await api.GetJsonAsync($"/api/queryobserver/{observer}");
        return status == HttpStatusCode.NotFound ? 0 : stats.GetProperty("subscribers").GetInt32();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not {what} in time.");
            await Task.Delay(50, Cancellation);
        }
    }
}
