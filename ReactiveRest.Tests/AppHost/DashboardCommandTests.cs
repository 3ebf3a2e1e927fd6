using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using ReactiveRest.AppHost.Commands;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.AppHost;

/// <summary>The AppHost's dashboard commands, executed on the running stack as the dashboard executes them.</summary>
public sealed partial class DashboardCommandTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Seed_demo_data_creates_a_board_with_tasks_through_the_API()
    {
        var result = await app.App.ResourceCommands.ExecuteCommandAsync("api", SeedDemoDataCommand.Name, Cancellation);

        Assert.True(result.Success, result.Message);
        var boardId = int.Parse(BoardIdInMessage().Match(result.Message ?? "").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // The demo board is its user's: seen as that user.
        using var api = app.CreateApiClient(SeedDemoDataCommand.User);
        var (status, board) = await api.GetJsonAsync($"/api/boards/{boardId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(SeedDemoDataCommand.BoardName, board.GetProperty("name").GetString());
        var (_, boards) = await api.GetJsonAsync($"/api/boards?name={Uri.EscapeDataString(SeedDemoDataCommand.BoardName)}&limit=1000");
        Assert.Contains(boardId, boards.Ids());
        var (_, tasks) = await api.GetJsonAsync($"/api/tasks?boardId={boardId}");
        Assert.Equal(5, tasks.GetProperty("count").GetInt32());
        Assert.Contains(tasks.GetProperty("results").EnumerateArray(), task => task.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task Show_observers_logs_its_users_observers_on_every_replica_with_their_subscribers_and_evaluations()
    {
        using var api = app.CreateApiClient(ShowObserversCommand.User);
        var board = (await api.CreateBoardAsync("show observers")).Id();
        await using var subscriber = await Subscriber.ConnectAsync(app, user: ShowObserversCommand.User);
        var observer = await subscriber.ObserveAsync(api, $"/api/tasks?boardId={board}");
        await api.CreateTaskAsync(board, "evaluated once");
        await subscriber.NextAsync();
        // Someone else's observer, live too, which the listing must not show (the endpoint shows the caller's only).
        using var otherApi = app.CreateApiClient();
        var otherBoard = (await otherApi.CreateBoardAsync("not shown")).Id();
        await using var other = await Subscriber.ConnectAsync(app);
        var otherObserver = await other.ObserveAsync(otherApi, $"/api/tasks?boardId={otherBoard}");
        await otherApi.CreateTaskAsync(otherBoard, "evaluated once");
        await other.NextAsync();

        var replicas = (await app.ProcessesAsync("observers")).Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, replicas.Count);
        var replica = replicas[0];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var logs = app.App.Services.GetRequiredService<ResourceLoggerService>();
        // Watching first: the command's lines arrive while it runs. The listing names every replica, then its observers.
        var listing = ReadUntilAsync(
            logs,
            replica,
            lines => lines.Any(line => line.Contains(observer, StringComparison.Ordinal))
                && replicas.All(each => lines.Any(line => line.Contains($"Replica {each} (", StringComparison.Ordinal))),
            deadline.Token);

        var result = await app.App.ResourceCommands.ExecuteCommandAsync(replica, ShowObserversCommand.Name, Cancellation);

        Assert.True(result.Success, result.Message);
        Assert.Contains("on 2 replicas", result.Message, StringComparison.Ordinal);
        var lines = await listing;
        var line = lines.Single(line => line.Contains(observer, StringComparison.Ordinal));
        Assert.Contains(subscriber.Id, line, StringComparison.Ordinal);
        Assert.Contains($"/api/tasks?boardId={board}", line, StringComparison.Ordinal);
        Assert.Matches(@"[1-9]\d* evaluations", line);
        Assert.DoesNotContain(lines, each => each.Contains(otherObserver, StringComparison.Ordinal) || each.Contains(other.Id, StringComparison.Ordinal));
        // Each replica answered for itself, not the proxy for both: two processes.
        var processes = lines.Select(each => ReplicaProcess().Match(each)).Where(match => match.Success).Select(match => match.Groups[1].Value).Distinct().ToList();
        Assert.Equal(2, processes.Count);
    }

    private static async Task<List<string>> ReadUntilAsync(ResourceLoggerService logs, string resourceId, Func<List<string>, bool> done, CancellationToken cancellationToken)
    {
        var seen = new List<string>();
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                seen.AddRange(batch.Select(line => line.Content));
                if (done(seen))
                {
                    return seen;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Fail($"The log of {resourceId} did not show the listing; its last lines:\n{string.Join("\n", seen.TakeLast(20))}");
        return seen;
    }

    [GeneratedRegex(@"\(process ([^)]+)\)")]
    private static partial Regex ReplicaProcess();

    [GeneratedRegex(@"board (\d+)")]
    private static partial Regex BoardIdInMessage();
}
