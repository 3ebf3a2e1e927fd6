using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Faults;

/// <summary>
/// One observers replica dies (kill -9): its clients reconnect to the other, resume where they stood, and end with
/// exact lists, the writes made meanwhile included, none applied twice.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class ObserversCrashTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Clients_of_a_crashed_replica_resume_on_the_other_with_exact_lists()
    {
        await Serving.WaitAsync(app);
        var replicas = await app.ProcessesAsync("observers");
        Assert.Equal(2, replicas.Count);
        var boards = new[] { (await _api.CreateBoardAsync()).Id(), (await _api.CreateBoardAsync()).Id() };
        var urls = new[] { $"/api/tasks?boardId={boards[0]}&ordering=position", $"/api/tasks?boardId__in={boards[0]},{boards[1]}&ordering=-id&limit=5" };

        // Clients on both replicas (the proxy spreads connections).
        var clients = new List<(Subscriber Subscriber, string[] Observers)>();
        try
        {
            while (clients.Count < 4 || clients.Select(client => client.Subscriber.Replica).Distinct().Count() < 2)
            {
                Assert.True(clients.Count < 20, "The proxy never spread connections over both replicas.");
                var subscriber = await Subscriber.ConnectAsync(app);
                clients.Add((subscriber, [await subscriber.ObserveAsync(_api, urls[0]), await subscriber.ObserveAsync(_api, urls[1])]));
            }

            await WriteAsync(boards, 10);
            // The replica id carries the service's process id, a child of the process DCP started.
            var victim = clients[0].Subscriber.Replica!;
            var servicePid = int.Parse(victim.Split('-')[^2], System.Globalization.CultureInfo.InvariantCulture);
            var (victimId, victimPid) = replicas.Single(replica => ReactiveRestStack.IsWithin(servicePid, replica.Value));
            ReactiveRestStack.Kill(victimPid);
            var recovery = new Recovery();
            await WriteAsync(boards, 10);

            foreach (var (subscriber, _) in clients.Where(client => client.Subscriber.Replica == victim))
            {
                await subscriber.AbortAsync();
                await ReconnectAsync(subscriber);
            }

            await WriteAsync(boards, 5);
            foreach (var (subscriber, observers) in clients)
            {
                await Convergence.AssertConvergesAsync(_api, subscriber, observers[0], urls[0], TimeSpan.FromSeconds(40));
                await Convergence.AssertConvergesAsync(_api, subscriber, observers[1], urls[1], TimeSpan.FromSeconds(40));
            }

            recovery.Report("observers replica killed: every client of both replicas converged, those of the dead one after resuming on the other");

            await app.RestartAsync(victimId, "observers");
        }
        finally
        {
            foreach (var (subscriber, _) in clients)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    /// <summary>The proxy may still send a connection to the dead replica for a moment: retry, resuming each time.</summary>
    private async Task ReconnectAsync(Subscriber subscriber)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await subscriber.OpenAsync(app, resume: true);
                return;
            }
            catch (System.Net.WebSockets.WebSocketException) when (attempt < 20)
            {
                await Task.Delay(250, Cancellation);
            }
        }
    }

    private async Task WriteAsync(int[] boards, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _api.CreateTaskAsync(boards[i % 2], $"write {Guid.NewGuid():N}", position: i % 7);
        }
    }
}
