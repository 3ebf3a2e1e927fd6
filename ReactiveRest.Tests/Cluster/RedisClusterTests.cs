using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;
using StackExchange.Redis;

namespace ReactiveRest.Tests.Cluster;

/// <summary>
/// The whole stack on a local three-master Redis Cluster: the AppHost makes the cluster, the services find it from the
/// one connection string, every observer's keys share one slot while different observers spread over the nodes, and
/// the guarantees of the single-server tests hold (delivery, convergence, resume, unsubscribe, statistics).
/// </summary>
public sealed class RedisClusterTests(RedisClusterApp cluster) : IClassFixture<RedisClusterApp>
{
    private readonly HttpClient _api = cluster.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_redis_resource_is_a_three_master_cluster_whose_nodes_announce_the_addresses_clients_are_given()
    {
        foreach (var resource in new[] { "redis", "redis-1", "redis-2", "redis-3" })
        {
            await cluster.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, Cancellation);
        }

        var connectionString = await cluster.App.GetConnectionStringAsync("redis", Cancellation);
        var given = connectionString!.Split(',').Where(part => !part.Contains('=', StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(3, given.Count);
        Assert.All(given, endpoint => Assert.StartsWith("127.0.0.1:", endpoint, StringComparison.Ordinal));
        Assert.Contains(",password=", connectionString, StringComparison.Ordinal);

        var redis = await cluster.RedisAsync();
        var servers = redis.GetServers();
        Assert.All(servers, server => Assert.Equal(ServerType.Cluster, server.ServerType));
        Assert.All(servers, server => Assert.False(server.IsReplica));
        // No second set of connections to the same nodes under other names: what the nodes announce is what was given.
        Assert.Equal(given, redis.GetEndPoints().Select(Format).Order());

        var info = (await servers[0].ExecuteAsync("CLUSTER", "INFO")).ToString();
        Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
        Assert.Contains("cluster_size:3", info, StringComparison.Ordinal);
        var announced = ((RedisResult[])(await servers[0].ExecuteAsync("CLUSTER", "SLOTS"))!)
            .Select(range => (RedisResult[])range!)
            .Select(range => (RedisResult[])range[2]!)
            .Select(master => $"{master[0]}:{master[1]}")
            .Order();
        Assert.Equal(given, announced);
    }

    [Fact]
    public async Task Each_observer_keeps_its_keys_on_one_slot_and_observers_of_different_boards_spread_over_the_nodes()
    {
        var redis = await cluster.RedisAsync();
        await using var subscriber = await Subscriber.ConnectAsync(cluster);
        var observed = new List<(int Board, string Observer, string Url)>();
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        // Observer ids are hashes, so which node each lands on is chance: observe boards until all three hold some.
        while (nodes.Count < 3 && observed.Count < 30)
        {
            var board = (await _api.CreateBoardAsync()).Id();
            var url = $"/api/tasks?boardId={board}&ordering=position";
            var observer = await subscriber.ObserveAsync(_api, url);
            nodes.Add(await SingleNodeOfAsync(redis, $"rr:{{{observer}}}*", ["obs", "subs", "snaps"]));
            observed.Add((board, observer, url));
        }

        Assert.Equal(3, nodes.Count);
        await SingleNodeOfAsync(redis, $"rr:{{s:{subscriber.Id}}}*", ["obs"]);

        foreach (var (board, _, _) in observed)
        {
            await _api.CreateTaskAsync(board, $"on board {board}");
        }

        foreach (var (_, observer, url) in observed)
        {
            await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
            Assert.Single(subscriber.View(observer));
        }

        // The log, written by the first evaluation, joins the observer's other keys.
        foreach (var (_, observer, _) in observed)
        {
            await SingleNodeOfAsync(redis, $"rr:{{{observer}}}*", ["obs", "subs", "snaps", "log"]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Random_writers_and_subscribers_converge_to_a_fresh_get(int seed)
    {
        var random = new Random(seed);
        var boards = new[] { (await _api.CreateBoardAsync()).Id(), (await _api.CreateBoardAsync()).Id() };
        var tasks = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            tasks.Add((await _api.CreateTaskAsync(boards[i % 2], $"seed {(char)('a' + i)}", position: random.Next(5))).Id());
        }

        string[] queries =
        [
            $"/api/tasks?boardId={boards[0]}&ordering=position",
            $"/api/tasks?boardId={boards[1]}&done=false&ordering=-position&limit=3",
            $"/api/tasks?boardId__in={boards[0]},{boards[1]}&ordering=-updatedAt&limit=4",
            $"/api/tasks/{tasks[0]}",
        ];

        var active = new List<(Subscriber Subscriber, string Observer, string Url)>();
        var left = new List<Subscriber>();
        try
        {
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                var writerRandom = new Random(seed * 100 + w);
                for (var step = 0; step < 15; step++)
                {
                    await RandomWriteAsync(writerRandom, boards, tasks, protectedTask: tasks[0]);
                }
            }, Cancellation)).ToArray();

            while (!Task.WhenAll(writers).IsCompleted)
            {
                if (active.Count < 4 && random.Next(3) > 0)
                {
                    var subscriber = await Subscriber.ConnectAsync(cluster);
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

    [Fact]
    public async Task A_subscriber_that_reconnects_with_resume_gets_what_it_missed_once()
    {
        var boards = new[] { (await _api.CreateBoardAsync()).Id(), (await _api.CreateBoardAsync()).Id() };
        await using var subscriber = await Subscriber.ConnectAsync(cluster);
        var urls = boards.Select(board => $"/api/tasks?boardId={board}&ordering=position").ToArray();
        var observers = new List<string>();
        foreach (var url in urls)
        {
            observers.Add(await subscriber.ObserveAsync(_api, url));
        }

        foreach (var board in boards)
        {
            await _api.CreateTaskAsync(board, "before", position: 1);
        }

        await subscriber.NextUntilAsync(_ => subscriber.Seq(observers[0]) == 1 && subscriber.Seq(observers[1]) == 1);
        await subscriber.CloseAsync();

        foreach (var board in boards)
        {
            var moved = await _api.CreateTaskAsync(board, "while away", position: 2);
            await _api.CreateTaskAsync(board, "also while away", position: 3);
            using var patched = await _api.PatchAsJsonAsync($"/api/tasks/{moved.Id()}", new { position = 0 }, Cancellation);
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        await subscriber.OpenAsync(cluster, resume: true);
        Assert.Contains((await subscriber.NextAsync()).GetProperty("observer").GetString(), observers);

        for (var i = 0; i < urls.Length; i++)
        {
            // The subscriber's seq check fails the view on a message delivered twice or skipped.
            await Convergence.AssertConvergesAsync(_api, subscriber, observers[i], urls[i]);
            Assert.Equal(["while away", "before", "also while away"], subscriber.View(observers[i]).Select(item => item.GetProperty("title").GetString()));
        }
    }

    [Fact]
    public async Task Unsubscribing_the_last_subscriber_drops_the_observer_from_its_node_and_from_every_index()
    {
        var redis = await cluster.RedisAsync();
        var board = (await _api.CreateBoardAsync()).Id();
        var url = $"/api/tasks?boardId={board}";
        await using var one = await Subscriber.ConnectAsync(cluster);
        await using var two = await Subscriber.ConnectAsync(cluster);
        var observer = await one.ObserveAsync(_api, url);
        Assert.Equal(observer, await two.ObserveAsync(_api, url));
        var sentinelBoard = (await _api.CreateBoardAsync()).Id();
        var sentinelUrl = $"/api/tasks?boardId={sentinelBoard}";
        Assert.Equal(await one.ObserveAsync(_api, sentinelUrl), await two.ObserveAsync(_api, sentinelUrl));
        Assert.True(await IsIndexedAsync(redis, observer));

        Assert.Equal(HttpStatusCode.OK, await UnsubscribeAsync(observer, one.Id));
        var (status, stats) = await _api.GetJsonAsync($"/api/queryobserver/{observer}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, stats.GetProperty("subscribers").GetInt32());

        Assert.Equal(HttpStatusCode.OK, await UnsubscribeAsync(observer, two.Id));
        Assert.Equal(HttpStatusCode.NotFound, await UnsubscribeAsync(observer, two.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetJsonAsync($"/api/queryobserver/{observer}")).Status);
        Assert.Empty(await KeysAsync(redis, $"rr:{{{observer}}}*"));
        Assert.False(await IsIndexedAsync(redis, observer));
        Assert.DoesNotContain((RedisValue)observer, await redis.GetDatabase().SetMembersAsync($"rr:{{s:{two.Id}}}:obs"));

        await _api.CreateTaskAsync(board, "nobody is watching");
        var sentinel = _api.CreateTaskAsync(sentinelBoard, "sentinel");
        await one.AssertNothingBeforeAsync(() => sentinel);
        await two.AssertNothingBeforeAsync(() => sentinel);
    }

    [Fact]
    public async Task The_statistics_of_an_observer_count_its_subscribers_changes_and_evaluations()
    {
        var board = (await _api.CreateBoardAsync()).Id();
        await using var subscriber = await Subscriber.ConnectAsync(cluster);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board}");
        using var observers = cluster.CreateObserversClient();
        var before = await SettledStatsAsync(observers, observer);
        Assert.Equal(1, before.GetProperty("subscribers").GetInt32());
        Assert.Equal(0, before.GetProperty("seq").GetInt64());

        for (var i = 0; i < 3; i++)
        {
            await _api.CreateTaskAsync(board, $"counted {i}");
            Assert.Equal("added", (await subscriber.NextAsync()).GetProperty("msg").GetString());
        }

        var after = await SettledStatsAsync(observers, observer);
        Assert.Equal(3, after.GetProperty("seq").GetInt64());
        Assert.True(after.GetProperty("changes").GetInt64() >= 3);
        Assert.True(after.GetProperty("evaluations").GetInt64() > before.GetProperty("evaluations").GetInt64());
        Assert.Contains($"boardId={board}&", after.GetProperty("url").GetString(), StringComparison.Ordinal);

        // The API answers the same, from the same slot.
        var (status, fromApi) = await _api.GetJsonAsync($"/api/queryobserver/{observer}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(after.GetProperty("seq").GetInt64(), fromApi.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task A_node_that_restarts_rejoins_the_cluster_and_the_change_written_meanwhile_arrives()
    {
        var redis = await cluster.RedisAsync();
        var board = (await _api.CreateBoardAsync()).Id();
        var url = $"/api/tasks?boardId={board}";
        await using var subscriber = await Subscriber.ConnectAsync(cluster);
        var observer = await subscriber.ObserveAsync(_api, url);
        var node = await SingleNodeOfAsync(redis, $"rr:{{{observer}}}*", ["obs", "subs", "snaps"]);
        var resource = new[] { "redis-1", "redis-2", "redis-3" }
            .Single(name => node == $"127.0.0.1:{cluster.App.GetEndpoint(name, "tcp").Port}");
        var commands = cluster.App.ResourceCommands;

        var stopped = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, Cancellation);
        Assert.True(stopped.Success, stopped.Message);
        await cluster.App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Finished, Cancellation);
        try
        {
            // The observer's node is down, not the database: the write is acknowledged.
            await _api.CreateTaskAsync(board, "while its node is down");
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, Cancellation);
            Assert.True(started.Success, started.Message);
            await cluster.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, Cancellation);
            // Not the redis resource's health: it may not have been checked since the node stopped.
            await WaitForClusterStateOkAsync(redis);
        }

        // The node came back with its data (append-only file) and its place in the cluster (nodes.conf).
        Assert.Equal(node, await SingleNodeOfAsync(redis, $"rr:{{{observer}}}*", ["obs", "subs", "snaps"]));
        var message = await subscriber.NextAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("added", message.GetProperty("msg").GetString());
        Assert.Equal("while its node is down", message.GetProperty("item").GetProperty("title").GetString());

        await _api.CreateTaskAsync(board, "after the restart");
        Assert.Equal("after the restart", (await subscriber.NextAsync()).GetProperty("item").GetProperty("title").GetString());
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
    }

    /// <summary>
    /// The node holding the keys that match <paramref name="pattern"/>, after checking there is exactly one, that it has
    /// every key with one of the <paramref name="suffixes"/>, and that Redis puts them all in one slot.
    /// </summary>
    private static async Task<string> SingleNodeOfAsync(IConnectionMultiplexer redis, string pattern, string[] suffixes)
    {
        var found = await KeysAsync(redis, pattern);
        var node = Assert.Single(found.Select(entry => entry.Node).Distinct());
        var keys = found.Select(entry => entry.Key).ToList();
        var prefix = pattern.TrimEnd('*');
        Assert.All(suffixes, suffix => Assert.Contains(keys, key => key.EndsWith(':' + suffix, StringComparison.Ordinal) || key == prefix + suffix));

        var server = redis.GetServers().First();
        var slots = new HashSet<long>();
        foreach (var key in keys)
        {
            slots.Add((long)await server.ExecuteAsync("CLUSTER", "KEYSLOT", key));
        }

        var slot = Assert.Single(slots);
        Assert.Equal(node, Format(server.ClusterConfiguration!.GetBySlot((int)slot)!.EndPoint!));
        return node;
    }

    /// <summary>The keys matching <paramref name="pattern"/> on every node, each with the node it is on (SCAN is per node).</summary>
    private static async Task<List<(string Node, string Key)>> KeysAsync(IConnectionMultiplexer redis, string pattern)
    {
        var found = new List<(string, string)>();
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                found.Add((Format(server.EndPoint), key.ToString()));
            }
        }

        return found;
    }

    /// <summary>Whether the observer is in the registry of observers or in any dependency index, wherever it lives.</summary>
    private static async Task<bool> IsIndexedAsync(IConnectionMultiplexer redis, string observer)
    {
        var database = redis.GetDatabase();
        if (await database.HashExistsAsync("rr:{rr}:observers", observer))
        {
            return true;
        }

        foreach (var (_, key) in await KeysAsync(redis, "rr:dep:*"))
        {
            if (await database.HashExistsAsync(key, observer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Until every node, asked directly, says <c>cluster_state:ok</c>.</summary>
    private static async Task WaitForClusterStateOkAsync(IConnectionMultiplexer redis)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var states = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var infos = await Task.WhenAll(redis.GetServers().Select(async server => (await server.ExecuteAsync("CLUSTER", "INFO")).ToString()));
                states = string.Join(", ", infos.Select(info => info.Split("\r\n")[0]));
                if (infos.Length == 3 && infos.All(info => info.Contains("cluster_state:ok", StringComparison.Ordinal)))
                {
                    return;
                }
            }
            catch (RedisException exception)
            {
                states = exception.Message;
            }

            await Task.Delay(200, Cancellation);
        }

        Assert.Fail($"The cluster did not recover: {states}");
    }

    private async Task<HttpStatusCode> UnsubscribeAsync(string observer, string subscriber)
    {
        using var response = await _api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={subscriber}", null, Cancellation);
        return response.StatusCode;
    }

    /// <summary>The observer's statistics once every counted change has been evaluated.</summary>
    private static async Task<JsonElement> SettledStatsAsync(HttpClient observers, string observer)
    {
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

    private static string Format(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString()!,
    };

    /// <param name="protectedTask">Never deleted: a detail query observes it, and observing a missing item is a 404.</param>
    private async Task RandomWriteAsync(Random random, int[] boards, List<int> tasks, int protectedTask)
    {
        int[] snapshot;
        lock (tasks)
        {
            snapshot = [.. tasks];
        }

        var target = snapshot[random.Next(snapshot.Length)];
        switch (random.Next(4))
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
            case 2 when target != protectedTask:
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
                using (var renamed = await _api.PatchAsJsonAsync($"/api/tasks/{target}", new { title = $"renamed {random.Next(1000)}", done = random.Next(2) == 0 }, Cancellation))
                {
                    Assert.True(renamed.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound);
                }

                break;
        }
    }
}
