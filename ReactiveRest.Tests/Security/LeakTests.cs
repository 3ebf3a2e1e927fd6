using System.Collections.Concurrent;
using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// Randomized, with a printed seed (REACTIVEREST_LEAK_SEED replays one): three users, boards that are private, shared
/// and re-shared, with writers and membership changes running concurrently while everyone is subscribed. No frame may
/// ever carry a row of a board its receiver never belonged to, and at the end every live list equals its user's own
/// fresh GET.
/// </summary>
public sealed class LeakTests(ReactiveRestApp app)
{
    private const int OperationsPerUser = 30;

    [Fact]
    public async Task No_frame_carries_a_row_of_a_board_its_user_never_belonged_to_and_every_list_converges()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REACTIVEREST_LEAK_SEED"), out var given) ? given : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"Leak test seed: {seed} (REACTIVEREST_LEAK_SEED={seed} replays it)");
        var random = new Random(seed);
        var users = new[] { TestUsers.Unique("ann"), TestUsers.Unique("ben"), TestUsers.Unique("cat") };
        var apis = users.ToDictionary(user => user, user => app.CreateApiClient(user));
        var model = new Membership(users);

        // Each user's own private board, and a board of Ann's already shared with Ben.
        foreach (var user in users)
        {
            model.Created(user, (await apis[user].CreateBoardAsync($"{user}'s")).Id());
        }

        var shared = (await apis[users[0]].CreateBoardAsync("shared")).Id();
        model.Created(users[0], shared);
        model.Granting(users[1], shared);
        Assert.Equal(HttpStatusCode.Created, (await apis[users[0]].PostAsJsonAsync($"/api/boards/{shared}/members", new { user = users[1] }, TestContext.Current.CancellationToken)).StatusCode);

        var subscribers = new Dictionary<string, Subscriber>();
        var observed = new List<(string User, string Observer, string Url)>();
        try
        {
            foreach (var user in users)
            {
                var subscriber = subscribers[user] = await Subscriber.ConnectAsync(app, user: user);
                var urls = new List<string> { "/api/tasks?ordering=id", "/api/boards", "/api/boardstats" };
                urls.AddRange(model.BoardsOf(user).Select(board => $"/api/tasks?boardId={board}&ordering=position,id"));
                foreach (var url in urls)
                {
                    observed.Add((user, await subscriber.ObserveAsync(apis[user], url), url));
                }
            }

            var counts = new ConcurrentDictionary<string, int>();
            var seeds = users.Select(_ => random.Next()).ToArray();
            await Task.WhenAll(users.Select((user, index) => Task.Run(() => ActAsync(user, apis, model, new Random(seeds[index]), counts))));
            TestContext.Current.TestOutputHelper?.WriteLine("Operations: " + string.Join(", ", counts.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key} {pair.Value}")));

            foreach (var (user, observer, url) in observed)
            {
                await Convergence.AssertConvergesAsync(apis[user], subscribers[user], observer, url, TimeSpan.FromSeconds(30));
            }

            // Converged: every frame is in. None may carry a row of a board the user never belonged to.
            var frames = 0;
            foreach (var user in users)
            {
                foreach (var frame in subscribers[user].Received())
                {
                    frames++;
                    var observer = observed.Single(entry => entry.User == user && entry.Observer == frame.GetProperty("observer").GetString());
                    var board = BoardOf(observer.Url, frame.GetProperty("item"));
                    Assert.True(model.EverBelonged(user, board), $"{user} received a row of board {board}, which they never belonged to: {frame}");
                }
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"Frames checked: {frames}");
            Assert.True(frames > 0, "The users received no frame at all.");
        }
        finally
        {
            foreach (var subscriber in subscribers.Values)
            {
                await subscriber.DisposeAsync();
            }

            foreach (var api in apis.Values)
            {
                api.Dispose();
            }
        }
    }

    /// <summary>The board a frame's item belongs to: a board's own id, or a task's or statistic's board.</summary>
    private static int BoardOf(string url, JsonElement item) =>
        url.StartsWith("/api/tasks", StringComparison.Ordinal) ? item.GetProperty("boardId").GetInt32() : item.Id();

    private static async Task ActAsync(string user, Dictionary<string, HttpClient> apis, Membership model, Random random, ConcurrentDictionary<string, int> counts)
    {
        var api = apis[user];
        var cancellation = TestContext.Current.CancellationToken;
        var tasks = new List<int>();
        for (var step = 0; step < OperationsPerUser; step++)
        {
            var boards = model.BoardsOf(user);
            var board = boards.Count > 0 ? boards[random.Next(boards.Count)] : (int?)null;
            var roll = random.Next(100);
            string outcome;
            if (board is null || roll < 10)
            {
                var created = await api.PostAsJsonAsync("/api/boards", new { name = $"{user} {step}" }, cancellation);
                model.Created(user, (await created.ReadJsonAsync()).Id());
                outcome = "create board";
            }
            else if (roll < 45)
            {
                // The board may have been taken from the user meanwhile: then it "does not exist" (400).
                using var created = await api.PostAsJsonAsync("/api/tasks", new { boardId = board, title = $"{user} {step}", position = random.Next(20) }, cancellation);
                if (created.StatusCode == HttpStatusCode.Created)
                {
                    tasks.Add((await created.ReadJsonAsync()).Id());
                }

                outcome = $"create task {(int)created.StatusCode}";
            }
            else if (roll < 65 && tasks.Count > 0)
            {
                var task = tasks[random.Next(tasks.Count)];
                using var updated = await api.PatchAsJsonAsync($"/api/tasks/{task}", new { title = $"{user} {step}", done = random.Next(2) == 0, position = random.Next(20) }, cancellation);
                outcome = $"update task {(int)updated.StatusCode}";
            }
            else if (roll < 72 && tasks.Count > 0)
            {
                var task = tasks[random.Next(tasks.Count)];
                tasks.Remove(task);
                using var deleted = await api.DeleteAsync($"/api/tasks/{task}", cancellation);
                outcome = $"delete task {(int)deleted.StatusCode}";
            }
            else if (roll < 88)
            {
                // Share, or share again, with someone: recorded before the request, so that no frame can precede it.
                var other = model.Users[random.Next(model.Users.Count)];
                model.Granting(other, board.Value);
                using var added = await api.PostAsJsonAsync($"/api/boards/{board}/members", new { user = other }, cancellation);
                if (added.StatusCode == HttpStatusCode.Created)
                {
                    model.Granted(other, board.Value);
                }

                outcome = $"add member {(int)added.StatusCode}";
            }
            else
            {
                var other = model.Users[random.Next(model.Users.Count)];
                using var removed = await api.DeleteAsync($"/api/boards/{board}/members/{other}", cancellation);
                if (removed.StatusCode == HttpStatusCode.NoContent)
                {
                    model.Revoked(other, board.Value);
                }

                outcome = $"remove member {(int)removed.StatusCode}";
            }

            counts.AddOrUpdate(outcome, 1, (_, count) => count + 1);
        }
    }

    /// <summary>Who belongs to which board now (as far as the answers tell), and who ever may have.</summary>
    private sealed class Membership(IReadOnlyList<string> users)
    {
        private readonly object _lock = new();
        private readonly Dictionary<string, HashSet<int>> _current = users.ToDictionary(user => user, _ => new HashSet<int>());
        private readonly Dictionary<string, HashSet<int>> _ever = users.ToDictionary(user => user, _ => new HashSet<int>());

        public IReadOnlyList<string> Users { get; } = users;

        public void Created(string user, int board)
        {
            lock (_lock)
            {
                _current[user].Add(board);
                _ever[user].Add(board);
            }
        }

        public void Granting(string user, int board)
        {
            lock (_lock)
            {
                _ever[user].Add(board);
            }
        }

        public void Granted(string user, int board)
        {
            lock (_lock)
            {
                _current[user].Add(board);
            }
        }

        public void Revoked(string user, int board)
        {
            lock (_lock)
            {
                _current[user].Remove(board);
            }
        }

        public List<int> BoardsOf(string user)
        {
            lock (_lock)
            {
                return [.. _current[user].Order()];
            }
        }

        public bool EverBelonged(string user, int board)
        {
            lock (_lock)
            {
                return _ever[user].Contains(board);
            }
        }
    }
}
