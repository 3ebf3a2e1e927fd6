using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Operations;

/// <summary>
/// A healthy system logs nothing at Warning or above, at its first start, at rest and under steady writes, and nothing
/// per write or per evaluation at Information: an operator reads the logs for what went wrong, and a line per
/// evaluation would bury it (and cost more than the evaluation).
/// </summary>
[Collection(nameof(OperationsCollection))]
public sealed class QuietLogsTests(OperationsStack stack)
{
    private const int Writes = 30;
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(3);
    private static readonly string[] Services = ["api", "observers"];
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_healthy_system_logs_no_warning_and_nothing_per_write_from_its_first_start_through_steady_writes()
    {
        using var api = stack.CreateApiClient();
        var board = await api.CreateBoardAsync("quiet");
        var task = await api.CreateTaskAsync(board.Id(), "write -1");
        await using var subscriber = await Subscriber.ConnectAsync(stack);
        var list = await subscriber.ObserveAsync(api, $"/api/tasks?boardId={board.Id()}");
        var detail = await subscriber.ObserveAsync(api, $"/api/tasks/{task.Id()}");

        // At rest: subscribed, nothing written. The span is the claim itself ("logs nothing at rest": maintenance passes,
        // heartbeats and polls run in it, once a second or so), so it is a span of real time, not a wait for a condition.
        await Task.Delay(Rest, Cancellation);

        var writesStarted = DateTimeOffset.UtcNow;
        for (var i = 0; i < Writes; i++)
        {
            // Paces the writes (steady writes are the claim's load), it waits for nothing.
            var next = Task.Delay(WriteInterval, Cancellation);
            using var patched = await api.PatchAsJsonAsync($"/api/tasks/{task.Id()}", new { title = $"write {i}" }, Cancellation);
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            await next;
        }

        await WaitForTitleAsync(subscriber, [list, detail], $"write {Writes - 1}", TimeSpan.FromSeconds(30));
        // At rest again (the claim's span, as above), which also gives the last evaluations' lines time to reach the
        // AppHost. A sentinel line would prove that better, but the services write no line on demand: adding one is a
        // change to the services, outside these tests (issue 16 leaves it open).
        await Task.Delay(Rest, Cancellation);

        var entries = Services.SelectMany(stack.Logs.Entries).ToList();
        // The watch saw the first start, so a probe's error there would be among these.
        Assert.Contains(entries, entry => entry.Resource == "api" && entry.Text.StartsWith("Migrated the database", StringComparison.Ordinal));

        var warnings = entries.Where(entry => entry.IsWarningOrAbove || entry.Level == "stderr").ToList();
        // Nothing at Information per write: not one record from the first write on (start-up lines are written once).
        var duringWrites = entries.Where(entry => entry.Time >= writesStarted && entry.Level is "info" or "stdout").ToList();
        var infrastructure = stack.Logs.Lines.Where(line => line.Resource == "redis").Concat(AfterReady(stack.Logs.Lines.Where(line => line.Resource == "postgres")))
            .Where(IsInfrastructureError).ToList();
        Assert.True(warnings.Count + duringWrites.Count + infrastructure.Count == 0, string.Join("\n\n",
            $"Warnings or errors of the services ({warnings.Count}):\n{string.Join("\n", warnings)}",
            $"Records at Information during {Writes} writes ({duringWrites.Count}):\n{string.Join("\n", duringWrites)}",
            $"Errors of Redis or PostgreSQL ({infrastructure.Count}):\n{string.Join("\n", infrastructure)}"));
    }

    /// <summary>
    /// Redis and PostgreSQL write their own start-up notices (PostgreSQL all of them to stderr, Redis environment advice
    /// such as memory overcommit at its "#" warning level), which say nothing about ReactiveRest: only their error
    /// severities count. PostgreSQL logs every failed statement at ERROR, so a probe that fails shows up there too.
    /// </summary>
    private static bool IsInfrastructureError(ResourceLogLine line) => line.Resource switch
    {
        // A probe turned away while the server starts: its backend, forked just before "ready to accept connections",
        // may write this line just after it.
        "postgres" when line.Text.Contains("FATAL:  the database system is starting up", StringComparison.Ordinal) => false,
        "postgres" => line.Text.Contains("ERROR:", StringComparison.Ordinal)
            || line.Text.Contains("FATAL:", StringComparison.Ordinal)
            || line.Text.Contains("PANIC:", StringComparison.Ordinal),
        _ => line.Text.Contains("error", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>
    /// PostgreSQL's lines once it accepts connections. Before, the AppHost's readiness probe is turned away with
    /// "FATAL: the database system is starting up": the orchestrator waiting, not a fault.
    /// </summary>
    private static IEnumerable<ResourceLogLine> AfterReady(IEnumerable<ResourceLogLine> lines) =>
        lines.GroupBy(line => line.ResourceId)
            .SelectMany(server => server.SkipWhile(line => !line.Text.Contains("database system is ready to accept connections", StringComparison.Ordinal)));

    private static async Task WaitForTitleAsync(Subscriber subscriber, string[] observers, string title, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = new HashSet<string>();
        while (!seen.SetEquals(observers))
        {
            var left = deadline - DateTime.UtcNow;
            var frame = await subscriber.NextAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (frame.ValueKind == JsonValueKind.Object
                && frame.TryGetProperty("item", out var item)
                && item.GetProperty("title").GetString() == title)
            {
                seen.Add(frame.GetProperty("observer").GetString()!);
            }
        }
    }
}
