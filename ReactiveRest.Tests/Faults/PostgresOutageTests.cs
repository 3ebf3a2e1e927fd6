using Aspire.Hosting.ApplicationModel;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Faults;

/// <summary>PostgreSQL stops for ten seconds: requests are answered 503 (never 500), and everything recovers by itself.</summary>
[Collection(nameof(FaultCollection))]
public sealed class PostgresOutageTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_database_outage_is_answered_503_and_every_acknowledged_write_is_delivered_after()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}&ordering=position";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url, whileUnavailable: TimeSpan.FromSeconds(15));

        var stopped = await app.App.ResourceCommands.ExecuteCommandAsync("postgres", KnownResourceCommands.StopCommand, Cancellation);
        Assert.True(stopped.Success, stopped.Message);
        var outage = DateTime.UtcNow;
        var statuses = new List<HttpStatusCode>();
        var slowest = TimeSpan.Zero;
        try
        {
            while (DateTime.UtcNow - outage < TimeSpan.FromSeconds(10))
            {
                var asked = System.Diagnostics.Stopwatch.StartNew();
                using var response = await _api.PostAsJsonAsync("/api/tasks", new { boardId = board.Id(), title = "during the outage" }, Cancellation);
                slowest = asked.Elapsed > slowest ? asked.Elapsed : slowest;
                statuses.Add(response.StatusCode);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                }

                await Task.Delay(500, Cancellation);
            }
        }
        finally
        {
            var started = await app.App.ResourceCommands.ExecuteCommandAsync("postgres", KnownResourceCommands.StartCommand, Cancellation);
            Assert.True(started.Success, started.Message);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("reactivedb", Cancellation);
        }

        var recovery = new Recovery();
        TestContext.Current.SendDiagnosticMessage($"recovery: PostgreSQL stopped: {statuses.Count(status => status == HttpStatusCode.ServiceUnavailable)} of {statuses.Count} writes answered 503, the slowest in {slowest.TotalSeconds:F2} s");
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await _api.PostAsJsonAsync("/api/tasks", new { boardId = board.Id(), title = "after the outage" }, Cancellation);
            return response.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(30), "writes work again");
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url, TimeSpan.FromSeconds(30));
        recovery.Report("PostgreSQL stopped: writes accepted and delivered after it was healthy again");
    }
}
