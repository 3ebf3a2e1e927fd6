using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// Observers of one shape that are due together are evaluated by one statement (users × boards unnested and joined
/// laterally). The statement must give every member exactly what its own query gives, whatever its user may see, and
/// the live path must use it.
/// </summary>
public sealed class BatchedEvaluationTests(ReactiveRestApp app)
{
    private static readonly TimeSpan Normal = TimeSpan.FromSeconds(10);
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_statement_gives_every_member_what_its_own_query_gives()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REACTIVEREST_BATCH_SEED"), out var given) ? given : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"REACTIVEREST_BATCH_SEED={seed}");
        var random = new Random(seed);

        // Four users with different rights over three boards (one sees none), tasks with ties in position and title.
        var users = Enumerable.Range(0, 4).Select(index => TestUsers.Unique($"batch{index}")).ToArray();
        using var owner = app.CreateApiClient(users[0]);
        var boards = new List<int>();
        for (var index = 0; index < 3; index++)
        {
            var board = (await owner.CreateBoardAsync($"batch {index}")).Id();
            boards.Add(board);
            for (var task = 0; task < 8; task++)
            {
                await owner.CreateTaskAsync(board, $"{"ab"[random.Next(2)]}{"xy"[random.Next(2)]}", done: random.Next(2) == 0, position: random.Next(4));
            }
        }

        await AddMemberAsync(owner, boards[0], users[1]);
        await AddMemberAsync(owner, boards[1], users[1]);
        await AddMemberAsync(owner, boards[2], users[2]);

        await using var db = await ContextAsync();
        var catalog = new ResourceCatalog(ApiResources.All, ApiResources.AccessTables);
        catalog.Bind(db.Model);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var taskIds = await db.Tasks.Where(task => boards.Contains(task.BoardId)).Select(task => task.Id).ToListAsync(Cancellation);
        var compared = 0;

        for (var round = 0; round < 40; round++)
        {
            // One shape: a detail, a list pinned to a board, or a list of every board the user sees.
            var kind = random.Next(3);
            var rest = RandomListQuery(random);
            var queries = new List<ObserverQuery>();
            foreach (var user in users)
            {
                IEnumerable<ObserverQuery> ofUser = kind switch
                {
                    0 => taskIds.Where(_ => random.Next(3) == 0).Select(id => ObserverQuery.ForItem(ApiResources.Tasks, id, user)),
                    1 => boards.Append(int.MaxValue).Select(board => ListQueryOf($"boardId={board}&{rest}", user)),
                    _ => [ListQueryOf($"boardId__in={string.Join(',', boards)}&{rest}", user), ListQueryOf(rest, user)],
                };
                queries.AddRange(ofUser);
            }

            foreach (var shape in queries.GroupBy(query => ApiResources.Tasks.BatchMemberOf(query)!.Shape.Key))
            {
                var members = shape.Select(query => ApiResources.Tasks.BatchMemberOf(query)!).ToList();
                var batched = await ApiResources.Tasks.EvaluateBatchAsync(db, members[0].Shape, members, json, Cancellation);
                Assert.Equal(members.Count, batched.Count);
                foreach (var (query, result) in shape.Zip(batched))
                {
                    var alone = await ApiResources.Tasks.EvaluateAsync(db, query, json, Cancellation);
                    Assert.True(alone.SequenceEqual(result),
                        $"seed {seed}: {query.Principal} {query.Url}: alone [{string.Join(",", alone.Select(item => item.Key))}], batched [{string.Join(",", result.Select(item => item.Key))}]");
                    compared += alone.Count;
                }
            }
        }

        Assert.True(compared > 100, $"the rounds compared only {compared} rows");
    }

    [Fact]
    public async Task Queries_of_one_shape_due_while_one_runs_share_the_next_statement_and_each_get_their_own_result()
    {
        var users = Enumerable.Range(0, 20).Select(index => TestUsers.Unique($"lane{index}")).ToArray();
        using var owner = app.CreateApiClient(users[0]);
        var board = (await owner.CreateBoardAsync("lane")).Id();
        for (var task = 0; task < 5; task++)
        {
            await owner.CreateTaskAsync(board, $"lane {task}", position: task);
        }

        // Every other user is a member: the members see the five tasks, the others nothing, from the same statement.
        foreach (var user in users.Where((_, index) => index % 2 == 0).Skip(1))
        {
            await AddMemberAsync(owner, board, user);
        }

        // The first statement is held until every other query has been handed to the batcher: they all arrive while it
        // runs, however the machine schedules this thread, and so must run together as the next statement.
        var held = new HeldStatements();
        await using var services = Services(await app.App.GetConnectionStringAsync("reactivedb", Cancellation)
            ?? throw new InvalidOperationException("The stack has no database connection string."), held);
        var batcher = services.GetRequiredService<EvaluationBatcher>();
        var queries = users.Select(user => ListQueryOf($"boardId={board}&ordering=position", user)).ToList();

        var evaluations = queries.Select(query => batcher.EvaluateAsync(query, Cancellation)).ToList();
        await held.First.WaitAsync(Normal, Cancellation);
        Assert.Equal(1, held.Started);
        held.Release();
        var results = await Task.WhenAll(evaluations).WaitAsync(Normal, Cancellation);

        Assert.Equal(1, results[0].BatchSize);
        Assert.All(results.Skip(1), result => Assert.Equal(queries.Count - 1, result.BatchSize));
        Assert.Equal(2, held.Started);
        await using var db = await ContextAsync();
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        foreach (var (query, index) in queries.Select((query, index) => (query, index)))
        {
            var alone = await ApiResources.Tasks.EvaluateAsync(db, query, json, Cancellation);
            Assert.Equal(index % 2 == 0 ? 5 : 0, alone.Count);
            Assert.Equal(alone, results[index].Items);
        }
    }

    [Fact]
    public async Task When_the_database_is_gone_every_query_of_a_batch_gets_the_error_and_the_next_ones_run_again()
    {
        // A real PostgreSQL client aimed at a port nothing listens on: every statement fails as it does when the
        // database is gone.
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var services = Services($"Host=127.0.0.1;Port={port};Username=nobody;Database=none;Timeout=2");
        var batcher = services.GetRequiredService<EvaluationBatcher>();
        var users = Enumerable.Range(0, 10).Select(index => TestUsers.Unique($"gone{index}")).ToArray();

        for (var round = 0; round < 2; round++)
        {
            var evaluations = users.Select(user => batcher.EvaluateAsync(ListQueryOf("boardId=1&ordering=position", user), Cancellation)).ToList();
            foreach (var evaluation in evaluations)
            {
                // Each caller gets the error (the scheduler retries it), none waits for ever: the lane is free again.
                var error = await Assert.ThrowsAnyAsync<Exception>(() => evaluation.WaitAsync(TimeSpan.FromSeconds(30), Cancellation));
                // EF Core wraps the database's transient error when no retry strategy is configured.
                Assert.IsType<NpgsqlException>(error as NpgsqlException ?? error.InnerException, exactMatch: false);
            }
        }
    }

    [Fact]
    public async Task A_slow_batch_member_does_not_delay_the_others()
    {
        var (users, board) = await BoardWatchedByAsync("slowmember", 6);
        var culprit = users[3];

        // Every statement that reads for the culprit (the shared one, then its own) is held until the test lets it go:
        // a slow member for as long as the test needs, with no timing luck. The first statement is held too, until
        // every query has been handed to the batcher, so the other five share the next statement, culprit included.
        var statements = new CulpritStatements(culprit, fail: false);
        await using var services = Services(await ConnectionStringAsync(), statements, options => options.BatchStatementTimeout = TimeSpan.FromSeconds(1));
        var batcher = services.GetRequiredService<EvaluationBatcher>();
        var queries = users.Select(user => ListQueryOf($"boardId={board}&ordering=position", user)).ToList();

        var first = statements.HoldNext(users[0]);
        var evaluations = queries.Select(query => batcher.EvaluateAsync(query, Cancellation)).ToList();
        await first.Started.WaitAsync(Normal, Cancellation);
        first.Release();

        // The shared statement runs out of time (1 s) and each member runs alone: the others get their results while
        // the culprit's statement is still held.
        var others = evaluations.Where((_, index) => index != 3).ToList();
        var results = await Task.WhenAll(others).WaitAsync(Normal, Cancellation);
        Assert.False(evaluations[3].IsCompleted, "the culprit's statement is held, yet its evaluation ended");
        // Its own statement starts beside the others' reruns, not necessarily before they end.
        var deadline = DateTime.UtcNow + Normal;
        while (statements.ForCulprit < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The culprit's own statement never started ({statements.ForCulprit} statement(s)).");
            await Task.Delay(20, Cancellation);
        }

        Assert.Equal(2, statements.ForCulprit);
        Assert.False(evaluations[3].IsCompleted, "the culprit's statement is held, yet its evaluation ended");
        await using var db = await ContextAsync();
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        foreach (var (query, result) in queries.Where((_, index) => index != 3).Zip(results))
        {
            Assert.Equal(3, result.Items.Count);
            Assert.Equal(await ApiResources.Tasks.EvaluateAsync(db, query, json, Cancellation), result.Items);
        }

        // Late, the culprit still gets its own result.
        statements.ReleaseCulprit();
        var late = await evaluations[3].WaitAsync(Normal, Cancellation);
        Assert.Equal(await ApiResources.Tasks.EvaluateAsync(db, queries[3], json, Cancellation), late.Items);
        Assert.Equal(1, late.BatchSize);
    }

    [Fact]
    public async Task A_failing_batch_member_fails_alone_and_after_repeated_failures_gets_its_own_lane()
    {
        var (users, board) = await BoardWatchedByAsync("failmember", 6);
        var culprit = users[3];
        var statements = new CulpritStatements(culprit, fail: true);
        var log = new WarningLog();
        await using var services = Services(await ConnectionStringAsync(), statements, log: log);
        var batcher = services.GetRequiredService<EvaluationBatcher>();
        var queries = users.Select(user => ListQueryOf($"boardId={board}&ordering=position", user)).ToList();
        await using var db = await ContextAsync();
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        async Task<(IReadOnlyList<ObservedItem> Items, int BatchSize)[]> RoundAsync()
        {
            var first = statements.HoldNext(users[0]);
            var evaluations = queries.Select(query => batcher.EvaluateAsync(query, Cancellation)).ToList();
            await first.Started.WaitAsync(Normal, Cancellation);
            first.Release();

            var failure = await Assert.ThrowsAnyAsync<Exception>(() => evaluations[3].WaitAsync(Normal, Cancellation));
            Assert.Contains(CulpritStatements.Failure, failure.ToString(), StringComparison.Ordinal);
            var others = await Task.WhenAll(evaluations.Where((_, index) => index != 3)).WaitAsync(Normal, Cancellation);
            foreach (var (query, result) in queries.Where((_, index) => index != 3).Zip(others))
            {
                Assert.Equal(await ApiResources.Tasks.EvaluateAsync(db, query, json, Cancellation), result.Items);
            }

            return others;
        }

        // Each time, the shared statement fails, every member runs alone, and only the culprit fails.
        for (var round = 0; round < EvaluationBatcher.SoloLaneStrikes; round++)
        {
            var batchedBefore = statements.BatchedForCulprit;
            var results = await RoundAsync();
            Assert.Equal(batchedBefore + 1, statements.BatchedForCulprit);
            Assert.All(results.Skip(1), result => Assert.Equal(1, result.BatchSize));
        }

        // The third time it held its batch back, it was given its own lane, and said so.
        await log.SoloLane.WaitAsync(Normal, Cancellation);
        Assert.Equal(1, batcher.SoloLanes);

        // From now on it runs alone: the others share a statement that succeeds at once, without it.
        var batched = statements.BatchedForCulprit;
        var shared = await RoundAsync();
        Assert.Equal(batched, statements.BatchedForCulprit);
        Assert.All(shared.Skip(1), result => Assert.Equal(queries.Count - 2, result.BatchSize));
        Assert.Equal(0, batcher.SlotsHeld);
    }

    [Fact]
    public async Task Many_users_watching_one_board_get_exactly_their_frames_from_batched_statements()
    {
        var users = Enumerable.Range(0, 16).Select(index => TestUsers.Unique($"fan{index}")).ToArray();
        using var owner = app.CreateApiClient(users[0]);
        var shared = (await owner.CreateBoardAsync("shared")).Id();
        var only = (await owner.CreateBoardAsync("members of half")).Id();
        foreach (var (user, index) in users.Select((user, index) => (user, index)).Skip(1))
        {
            await AddMemberAsync(owner, shared, user);
            if (index % 2 == 0)
            {
                await AddMemberAsync(owner, only, user);
            }
        }

        // Every user watches the same pinned list and the same unpinned one: two shapes of 16 observers each.
        var pinned = $"/api/tasks?boardId={shared}&ordering=position,id";
        const string unpinned = "/api/tasks?title__icontains=fan-out&ordering=-id";
        var subscribers = new List<(Subscriber Subscriber, HttpClient Api, string Pinned, string Unpinned, bool SeesOnly)>();
        try
        {
            foreach (var (user, index) in users.Select((user, index) => (user, index)))
            {
                var api = app.CreateApiClient(user);
                var subscriber = await Subscriber.ConnectAsync(app, user: user);
                subscribers.Add((subscriber, api, await subscriber.ObserveAsync(api, pinned), await subscriber.ObserveAsync(api, unpinned), index % 2 == 0));
            }

            var before = await BatchedStatementCallsAsync();
            for (var write = 0; write < 5; write++)
            {
                await owner.CreateTaskAsync(shared, $"fan-out shared {write}", position: write);
                await owner.CreateTaskAsync(only, $"fan-out half {write}");
            }

            var sentinel = await owner.CreateTaskAsync(shared, "sentinel fan-out", position: 99);
            foreach (var (subscriber, api, pinnedObserver, unpinnedObserver, seesOnly) in subscribers)
            {
                await subscriber.NextUntilAsync(
                    _ => subscriber.View(pinnedObserver).Any(item => item.Id() == sentinel.Id()) && subscriber.View(unpinnedObserver).Any(item => item.Id() == sentinel.Id()),
                    Normal);
                await Convergence.AssertConvergesAsync(api, subscriber, pinnedObserver, pinned, Normal);
                await Convergence.AssertConvergesAsync(api, subscriber, unpinnedObserver, unpinned, Normal);
                var titles = subscriber.View(unpinnedObserver).Select(item => item.GetProperty("title").GetString()).ToList();
                Assert.Equal(seesOnly ? 11 : 6, titles.Count);
                Assert.Equal(seesOnly, titles.Any(title => title!.StartsWith("fan-out half", StringComparison.Ordinal)));
                Assert.Equal(6, subscriber.View(pinnedObserver).Count);
            }

            // 32 observers were due at each write: they must not have taken a statement each, every time.
            Assert.True(await BatchedStatementCallsAsync() > before, "no evaluation ran as a batched statement");
        }
        finally
        {
            foreach (var (subscriber, api, _, _, _) in subscribers)
            {
                await subscriber.DisposeAsync();
                api.Dispose();
            }
        }
    }

    private static ObserverQuery ListQueryOf(string query, string user)
    {
        var errors = new QueryErrors();
        var list = ApiResources.Tasks.ParseQuery(QueryHelpers.ParseQuery(query), errors);
        Assert.True(list is not null, $"{query}: {string.Join("; ", errors.ToDictionary().SelectMany(error => error.Value))}");
        return ObserverQuery.ForList(ApiResources.Tasks, list, user);
    }

    private static string RandomListQuery(Random random)
    {
        var parameters = new List<string>();
        if (random.Next(2) == 0)
        {
            parameters.Add($"done={(random.Next(2) == 0 ? "true" : "false")}");
        }

        if (random.Next(2) == 0)
        {
            parameters.Add($"title__icontains={"abxy"[random.Next(4)]}");
        }

        if (random.Next(3) == 0)
        {
            parameters.Add($"position__gte={random.Next(4)}");
        }

        string[] orderings = ["position", "-position", "title,-position", "-title", "-id", "done,title", "-createdAt"];
        parameters.Add($"ordering={orderings[random.Next(orderings.Length)]}");
        parameters.Add($"limit={random.Next(1, 7)}");
        parameters.Add($"offset={random.Next(0, 4)}");
        return string.Join('&', parameters);
    }

    private static async Task AddMemberAsync(HttpClient owner, int board, string user)
    {
        using var added = await owner.PostAsJsonAsync($"/api/boards/{board}/members", new { user }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
    }

    /// <summary>
    /// Holds every statement that starts before <see cref="Release"/> (asynchronously: the caller's thread goes on), and
    /// counts the statements started.
    /// </summary>
    private sealed class HeldStatements : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public Task First => _first.Task;

        public int Started => Volatile.Read(ref _started);

        public void Release() => _released.TrySetResult();

        public override async ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _started);
            _first.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            return result;
        }
    }

    /// <summary>A board of three tasks at equal positions, owned by the first of the users and shared with the others.</summary>
    private async Task<(string[] Users, int Board)> BoardWatchedByAsync(string prefix, int count)
    {
        var users = Enumerable.Range(0, count).Select(index => TestUsers.Unique($"{prefix}{index}")).ToArray();
        using var owner = app.CreateApiClient(users[0]);
        var board = (await owner.CreateBoardAsync(prefix)).Id();
        for (var task = 0; task < 3; task++)
        {
            await owner.CreateTaskAsync(board, $"{prefix} {task}", position: 1);
        }

        foreach (var user in users.Skip(1))
        {
            await AddMemberAsync(owner, board, user);
        }

        return (users, board);
    }

    private async Task<string> ConnectionStringAsync() => await app.App.GetConnectionStringAsync("reactivedb", Cancellation)
        ?? throw new InvalidOperationException("The stack has no database connection string.");

    /// <summary>
    /// Makes one user's statements slow or failing: every statement that reads as <c>culprit</c> (its own, or a shared
    /// one with it among the users) is held until <see cref="ReleaseCulprit"/>, or fails. Also holds the next statement
    /// on demand, so queries started together are sure to arrive while it runs.
    /// </summary>
    private sealed class CulpritStatements(string culprit, bool fail) : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public const string Failure = "the culprit's statement failed on purpose";

        private readonly TaskCompletionSource _culpritReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Hold? _next;
        private int _forCulprit;
        private int _batchedForCulprit;

        /// <summary>Statements that read as the culprit.</summary>
        public int ForCulprit => Volatile.Read(ref _forCulprit);

        /// <summary>Shared statements among whose users the culprit was.</summary>
        public int BatchedForCulprit => Volatile.Read(ref _batchedForCulprit);

        /// <summary>Holds the next statement that reads as <paramref name="user"/> until <see cref="Hold.Release"/>.</summary>
        public Hold HoldNext(string user)
        {
            var hold = new Hold(user);
            Volatile.Write(ref _next, hold);
            return hold;
        }

        public void ReleaseCulprit() => _culpritReleased.TrySetResult();

        public override async ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref _next) is { } hold && ReadsAs(command, hold.User) && Interlocked.CompareExchange(ref _next, null, hold) == hold)
            {
                hold.Begin();
                await hold.Released.WaitAsync(cancellationToken);
            }

            if (ReadsAs(command, culprit))
            {
                var batched = command.Parameters.Cast<System.Data.Common.DbParameter>().Any(parameter => parameter.Value is string[] users && users.Contains(culprit));
                Interlocked.Increment(ref _forCulprit);
                if (batched)
                {
                    Interlocked.Increment(ref _batchedForCulprit);
                }

                if (fail)
                {
                    throw new InvalidOperationException(Failure);
                }

                await _culpritReleased.Task.WaitAsync(cancellationToken);
            }

            return result;
        }

        /// <summary>The statement applies the user's rights: alone, the user is a parameter (or literal); shared, one of an array's.</summary>
        private static bool ReadsAs(System.Data.Common.DbCommand command, string user) =>
            command.CommandText.Contains(user, StringComparison.Ordinal)
            || command.Parameters.Cast<System.Data.Common.DbParameter>().Any(parameter => Equals(parameter.Value, user) || parameter.Value is string[] users && users.Contains(user));

        public sealed class Hold(string user)
        {
            private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public string User => user;

            public Task Started => _started.Task;

            public Task Released => _released.Task;

            public void Begin() => _started.TrySetResult();

            public void Release() => _released.TrySetResult();
        }
    }

    /// <summary>Signals the batcher's warning that an observer was given its own lane.</summary>
    private sealed class WarningLog : ILoggerProvider, ILogger
    {
        private readonly TaskCompletionSource _soloLane = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SoloLane => _soloLane.Task;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning && formatter(state, exception).Contains("is evaluated alone", StringComparison.Ordinal))
            {
                _soloLane.TrySetResult();
            }
        }

        public void Dispose()
        {
        }
    }

    /// <summary>The batcher as the services build it, on the given database.</summary>
    private static ServiceProvider Services(
        string connectionString,
        Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor? held = null,
        Action<ReactiveOptions>? configure = null,
        ILoggerProvider? log = null)
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddLogging(logging =>
        {
            if (log is not null)
            {
                logging.AddProvider(log);
            }
        });
        services.AddDbContext<ReactiveDbContext>(options =>
        {
            options.UseNpgsql(connectionString);
            if (held is not null)
            {
                options.AddInterceptors(held);
            }
        });
        services.AddOptions<ReactiveOptions>().Configure(options => configure?.Invoke(options));
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        services.AddSingleton<ReactiveMetrics>();
        services.AddSingleton(provider => new ReactiveDatabase(provider.GetRequiredService<IServiceScopeFactory>(), typeof(ReactiveDbContext)));
        services.AddSingleton(provider =>
        {
            using var scope = provider.CreateScope();
            var catalog = new ResourceCatalog(ApiResources.All, ApiResources.AccessTables);
            catalog.Bind(scope.ServiceProvider.GetRequiredService<ReactiveDbContext>().Model);
            return catalog;
        });
        services.AddSingleton<EvaluationBatcher>();
        return services.BuildServiceProvider();
    }

    private async Task<ReactiveDbContext> ContextAsync()
    {
        var options = new DbContextOptionsBuilder<ReactiveDbContext>()
            .UseNpgsql(await app.App.GetConnectionStringAsync("reactivedb", Cancellation))
            .Options;
        return new ReactiveDbContext(options);
    }

    /// <summary>How often PostgreSQL ran the batched evaluation statement (pg_stat_statements, which the AppHost preloads).</summary>
    private async Task<long> BatchedStatementCallsAsync()
    {
        await using var connection = new NpgsqlConnection(await app.App.GetConnectionStringAsync("reactivedb", Cancellation));
        await connection.OpenAsync(Cancellation);
        await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection))
        {
            await create.ExecuteNonQueryAsync(Cancellation);
        }

        await using var count = new NpgsqlCommand("SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query LIKE '%WITH ORDINALITY%JOIN LATERAL%'", connection);
        return (long)(await count.ExecuteScalarAsync(Cancellation))!;
    }
}
