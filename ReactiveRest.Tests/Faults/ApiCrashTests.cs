using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Faults;

/// <summary>
/// A write the API acknowledged has its change captured in its own transaction: a crash of the API right after
/// answering loses nothing, and no API is needed to deliver it.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class ApiCrashTests(ReactiveRestApp app)
{
    private const int Tasks = 300;
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_kill_9_of_the_api_right_after_a_burst_loses_no_acknowledged_write()
    {
        await Serving.WaitAsync(app);
        var board = await _api.CreateBoardAsync();
        var ids = new int[Tasks];
        await Parallel.ForAsync(0, Tasks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancellation }, async (i, _) =>
            ids[i] = (await _api.CreateTaskAsync(board.Id(), $"task {i}")).Id());
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observers = new string[Tasks];
        await Parallel.ForAsync(0, Tasks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancellation }, async (i, _) =>
            observers[i] = await subscriber.ObserveAsync(_api, $"/api/tasks/{ids[i]}"));

        var acknowledged = new JsonElement[Tasks];
        await Parallel.ForAsync(0, Tasks, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Cancellation }, async (i, token) =>
        {
            using var response = await _api.PatchAsJsonAsync($"/api/tasks/{ids[i]}", new { title = $"burst {i}", done = true }, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            acknowledged[i] = await response.ReadJsonAsync();
        });
        var api = (await app.ProcessesAsync("api")).Single();
        ReactiveRestStack.Kill(api.Value);
        var recovery = new Recovery();

        try
        {
            // Delivered from the outbox by the observers, with the API dead.
            await Eventually.HoldsAsync(
                () => Task.FromResult(Enumerable.Range(0, Tasks).All(i => subscriber.View(observers[i]).SingleOrDefault().GetRawText() == acknowledged[i].GetRawText())),
                TimeSpan.FromSeconds(30),
                "every acknowledged write reached its detail observer");
            recovery.Report("API killed: all 300 acknowledged writes delivered, with the API still dead");
        }
        finally
        {
            await app.RestartAsync(api.Key, "api");
        }

        await Convergence.AssertConvergesAsync(_api, subscriber, observers[0], $"/api/tasks/{ids[0]}");
    }
}
