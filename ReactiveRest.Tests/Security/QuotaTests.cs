using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Quotas;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Tests.Faults;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// What one user may hold (docs/security.md): each quota is reached and refused whichever replica a request reaches,
/// with a 429 problem naming it, and another user is not affected.
/// </summary>
[Collection(nameof(LimitsCollection))]
public sealed class QuotaTests(LimitsStack stack)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_holds_at_most_the_configured_number_of_observers_over_both_api_replicas()
    {
        var user = TestUsers.Unique("observer-quota");
        using var first = stack.CreateApiClient(user);
        using var second = await stack.CreateSecondApiClientAsync(user);
        var board = await LimitsTests.WithinRateAsync(() => first.CreateBoardAsync("quota"));
        var url = $"/api/tasks?boardId={board.Id()}&limit=";
        // Two subscriber ids, each under its subscriber limit, through both replicas: the user's count is one.
        var observers = new List<string>();
        for (var i = 0; i < LimitsStack.ObserversPerUser; i++)
        {
            var (api, subscriber) = i % 2 == 0 ? (first, "quota-a-" + user) : (second, "quota-b-" + user);
            observers.Add(await ObserveOkAsync(api, $"{url}{i + 1}&observe={subscriber}"));
        }

        foreach (var api in new[] { first, second })
        {
            using var refused = await LimitsTests.WithinRateAsync(() => api.GetAsync($"{url}99&observe=quota-a-{user}", Cancellation));
            await AssertQuotaAsync(refused, "observers", LimitsStack.ObserversPerUser);
        }

        // A query it holds already is no new observer; another user is not affected; an unsubscribe makes room.
        await ObserveOkAsync(second, $"{url}1&observe=quota-b-{user}");
        using var other = stack.CreateApiClient(TestUsers.Unique("observer-other"));
        var otherBoard = await LimitsTests.WithinRateAsync(() => other.CreateBoardAsync("other"));
        await ObserveOkAsync(other, $"/api/tasks?boardId={otherBoard.Id()}&observe=other-{user}");
        using var unsubscribed = await LimitsTests.WithinRateAsync(() => second.PostAsync($"/api/queryobserver/unsubscribe?observer={observers[1]}&subscriber=quota-b-{user}", null, Cancellation));
        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
        await ObserveOkAsync(first, $"{url}99&observe=quota-a-{user}");
    }

    [Fact]
    public async Task A_user_holds_at_most_the_configured_number_of_subscriber_ids_over_every_replica()
    {
        var user = TestUsers.Unique("id-quota");
        using var first = stack.CreateApiClient(user);
        using var second = await stack.CreateSecondApiClientAsync(user);
        var board = await LimitsTests.WithinRateAsync(() => first.CreateBoardAsync("ids"));
        var url = $"/api/tasks?boardId={board.Id()}";
        var held = LimitsStack.SubscribersPerUser;
        var ids = Enumerable.Range(0, held + 2).Select(i => $"id{i}-{user}").ToArray();
        // One id by a WebSocket on an observers replica, the others by observe GETs on both API replicas.
        await using var socket = await Subscriber.ConnectAsync(stack, ids[0], user: user);
        for (var i = 1; i < held; i++)
        {
            await ObserveOkAsync(i % 2 == 0 ? first : second, $"{url}&observe={ids[i]}");
        }

        using var refused = await LimitsTests.WithinRateAsync(() => second.GetAsync($"{url}&observe={ids[held]}", Cancellation));
        await AssertQuotaAsync(refused, "subscribers", LimitsStack.SubscribersPerUser);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After says when unused ids end");
        Assert.Equal(HttpStatusCode.TooManyRequests, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(stack, $"/ws/{ids[held + 1]}", user)));

        // The refused ids were not claimed: another user may take one. The ids held keep working.
        using var other = stack.CreateApiClient(TestUsers.Unique("id-other"));
        var otherBoard = await LimitsTests.WithinRateAsync(() => other.CreateBoardAsync("other"));
        await ObserveOkAsync(other, $"/api/tasks?boardId={otherBoard.Id()}&observe={ids[held]}");
        await ObserveOkAsync(first, $"{url}&limit=2&observe={ids[0]}");
        socket.AssertConnected();
    }

    [Fact]
    public async Task A_user_holds_at_most_the_configured_number_of_websockets_over_both_observers_replicas()
    {
        var user = TestUsers.Unique("socket-quota");
        var open = new List<Subscriber>();
        // Ids are reused: each one the user holds counts against its subscriber quota for the grace period.
        var ids = new Queue<string>(Enumerable.Range(0, LimitsStack.SocketsPerUser + 1).Select(i => $"sock{i}-{user}"));
        try
        {
            // Until the sockets held are spread over both replicas (the proxy picks one for each connection).
            for (var attempt = 0; open.Count < LimitsStack.SocketsPerUser || open.Select(socket => socket.Replica).Distinct().Count() < 2; attempt++)
            {
                Assert.True(attempt < 40, "The proxy never spread the connections over both observers replicas.");
                if (open.Count == LimitsStack.SocketsPerUser)
                {
                    await open[0].DisposeAsync();
                    ids.Enqueue(open[0].Id);
                    open.RemoveAt(0);
                }

                open.Add(await ConnectOnceRoomAsync(user, ids.Dequeue()));
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(stack, $"/ws/one-too-many-{Guid.NewGuid():N}", user)));
            Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(stack, $"/ws/other-{Guid.NewGuid():N}", TestUsers.Unique("other"))));
            Assert.All(open, socket => socket.AssertConnected());
        }
        finally
        {
            foreach (var subscriber in open)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_bytes_a_users_observers_store_are_bounded()
    {
        var user = TestUsers.Unique("bytes-quota");
        using var api = stack.CreateApiClient(user);
        var board = await LimitsTests.WithinRateAsync(() => api.CreateBoardAsync("bytes"));
        // A list whose result, stored twice, takes most of the quota: a second observer of it cannot fit.
        var title = new string('x', 400);
        await Sql.ExecuteAsync((await stack.App.GetConnectionStringAsync("reactivedb", Cancellation))!, $"""
            INSERT INTO tasks (board_id, title, done, position, created_at, updated_at)
            SELECT {board.Id()}, '{title}', false, n, now(), now() FROM generate_series(1, 20) n;
            """);
        var url = $"/api/tasks?boardId={board.Id()}&ordering=position";
        var observer = await ObserveOkAsync(api, $"{url}&observe=bytes-{user}", expectItems: 20);

        using var refused = await LimitsTests.WithinRateAsync(() => api.GetAsync($"{url}&limit=50&observe=bytes-{user}", Cancellation));
        var problem = await AssertQuotaAsync(refused, "stored_bytes", LimitsStack.StoredBytesPerUser);
        Assert.True(problem.GetProperty("held").GetInt64() > LimitsStack.StoredBytesPerUser / 2);

        // The same observer again stores nothing more; once it is dropped, its bytes no longer count.
        await ObserveOkAsync(api, $"{url}&observe=bytes-{user}");
        using var unsubscribed = await LimitsTests.WithinRateAsync(() => api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber=bytes-{user}", null, Cancellation));
        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
        await ObserveOkAsync(api, $"{url}&limit=50&observe=bytes-{user}");
    }

    [Fact]
    public async Task What_a_crash_left_counted_is_recounted_when_the_user_reaches_a_quota()
    {
        var user = TestUsers.Unique("recount");
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync((await stack.App.GetConnectionStringAsync("redis", Cancellation))!);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var quotas = new UserQuotas(redis, Options.Create(new ReactiveOptions { MaxSocketsPerUser = 2, MaxObserversPerUser = 2, MaxSubscribersPerUser = 2 }),
            new ReactiveMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var live = "live-" + Guid.NewGuid().ToString("N");
        await redis.GetDatabase().StringSetAsync(RedisKeys.Replica(live), 1, TimeSpan.FromMinutes(1));

        // Places a crash left taken: sockets of a replica that is gone, an observer and subscriber ids that no longer exist.
        Assert.Null(await quotas.TakeSocketAsync(user, "gone-replica", "a"));
        Assert.Null(await quotas.TakeSocketAsync(user, "gone-replica", "b"));
        Assert.Null(await quotas.TakeObserverAsync(user, "gone-observer-1"));
        Assert.Null(await quotas.TakeObserverAsync(user, "gone-observer-2"));
        Assert.Null(await quotas.TakeSubscriberAsync(user, "gone-subscriber-1"));
        Assert.Null(await quotas.TakeSubscriberAsync(user, "gone-subscriber-2"));

        // At the quota: the recount frees them.
        Assert.Null(await quotas.TakeSocketAsync(user, live, "c"));
        Assert.Null(await quotas.TakeObserverAsync(user, "new-observer"));
        Assert.Null(await quotas.TakeSubscriberAsync(user, "new-subscriber"));

        // What exists is kept: a second live socket fills the quota and a third is refused (no recount frees it).
        Assert.Null(await quotas.TakeSocketAsync(user, live, "d"));
        var refused = await quotas.TakeSocketAsync(user, live, "e");
        Assert.Equal(new QuotaRefusal(Quota.Sockets, 2, 2), refused);
        await quotas.ReleaseSocketAsync(user, live, "c");
        Assert.Null(await quotas.TakeSocketAsync(user, live, "e"));
    }

    /// <summary>Connects once the user has room (a socket just closed gives its place back as its session ends).</summary>
    private async Task<Subscriber> ConnectOnceRoomAsync(string user, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                return await Subscriber.ConnectAsync(stack, id, user: user);
            }
            catch (System.Net.WebSockets.WebSocketException) when (DateTime.UtcNow < deadline)
            {
                // Refused (429) until the closed socket's place is back.
                await Task.Delay(100, Cancellation);
            }
        }
    }

    /// <returns>The observer id.</returns>
    private static async Task<string> ObserveOkAsync(HttpClient api, string url, int? expectItems = null)
    {
        using var response = await LimitsTests.WithinRateAsync(() => api.GetAsync(url, Cancellation));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        if (expectItems is { } count)
        {
            Assert.Equal(count, body.RootElement.GetProperty("items").GetArrayLength());
        }

        return body.RootElement.GetProperty("observer").GetString()!;
    }

    private static async Task<JsonElement> AssertQuotaAsync(HttpResponseMessage response, string quota, long limit)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal(quota, problem.GetProperty("quota").GetString());
        Assert.Equal(limit, problem.GetProperty("limit").GetInt64());
        Assert.Contains($"{limit}", problem.GetProperty("detail").GetString());
        return problem;
    }
}
