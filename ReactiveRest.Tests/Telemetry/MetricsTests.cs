using System.Text.Json;
using OpenTelemetry.Metrics;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Telemetry;

/// <summary>The <c>ReactiveRest</c> meter as an in-memory exporter sees it, in an observers replica hosted by the test.</summary>
[Collection(nameof(TelemetryCollection))]
public sealed class MetricsTests(TelemetryStack stack)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_write_moves_the_evaluation_and_latency_instruments()
    {
        using var api = stack.Api.CreateClient().As(TestUsers.Current);
        var board = await api.CreateBoardAsync("metrics");
        await using var subscriber = await InProcessSubscriber.ConnectAsync(stack.Observers.Server);
        var (status, observed) = await api.GetJsonAsync($"/api/tasks?boardId={board.Id()}&observe={subscriber.Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var observer = observed.GetProperty("observer").GetString()!;

        // A new observer is evaluated once on its own; the baseline is taken after that evaluation, so only the write moves it.
        JsonElement stats = default;
        await WaitUntilAsync(async () => (stats = (await api.GetJsonAsync($"/api/queryobserver/{observer}")).Body).GetProperty("evaluations").GetInt64() >= 1,
            () => $"the observer's first evaluation: {stats}");
        var before = Read(stack.CollectMetrics());
        Assert.Contains("reactiverest.subscribers", before.Names);
        Assert.True(before.Sockets >= 1, $"sockets: {before.Sockets}");

        var task = await api.CreateTaskAsync(board.Id(), "measured");
        await subscriber.WaitForAsync(frame => InProcessSubscriber.IsAdded(frame, observer, task.Id()), Deadline);

        Measured after = before;
        await WaitUntilAsync(() =>
        {
            after = Read(stack.CollectMetrics());
            return Task.FromResult(after.Evaluations > before.Evaluations && after.EvaluationDurations > before.EvaluationDurations
                && after.Queries > before.Queries && after.BatchSizes > before.BatchSizes
                && after.Latencies > before.Latencies && after.MessagesSent > before.MessagesSent);
        }, () => $"before: {before}, after: {after}");

        Assert.True(after.EvaluationSeconds > before.EvaluationSeconds, "an evaluation takes some time");
        Assert.InRange(after.LatencySeconds - before.LatencySeconds, 0, Deadline.TotalSeconds);
        // One observer was due: its query ran alone, as a batch of one.
        Assert.Equal(after.Queries - before.Queries, after.BatchSizes - before.BatchSizes);
        Assert.Equal(after.Queries - before.Queries, (long)(after.BatchedObservers - before.BatchedObservers));
    }

    [Fact]
    public async Task Verification_shows_its_rate_and_its_cost()
    {
        using var api = stack.Api.CreateClient().As(TestUsers.Current);
        var board = await api.CreateBoardAsync("verified");
        await api.CreateTaskAsync(board.Id(), "verified");
        await using var subscriber = await InProcessSubscriber.ConnectAsync(stack.Observers.Server);
        var (status, _) = await api.GetJsonAsync($"/api/tasks?boardId={board.Id()}&observe={subscriber.Id}");
        Assert.Equal(HttpStatusCode.OK, status);

        // The replica verifies its observers by itself, a few a second (Reactive:VerificationsPerSecond): each one is
        // counted by outcome and timed, which is what the dashboard charts. A sound observer is never a mismatch.
        long verified = 0, timed = 0;
        await WaitUntilAsync(() =>
        {
            var snapshots = stack.CollectMetrics();
            IEnumerable<MetricPoint> Points(string name) => snapshots.Where(metric => metric.Name == name).SelectMany(metric => metric.MetricPoints);
            verified = Points("reactiverest.verifications").Sum(point => point.GetSumLong());
            timed = Points("reactiverest.verification.duration").Sum(point => point.GetHistogramCount());
            return Task.FromResult(verified > 0 && timed > 0);
        }, () => $"verifications {verified}, timed {timed}");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Deadline}: {describe()}");
            }

            await Task.Delay(50, Cancellation);
        }
    }

    private static Measured Read(IReadOnlyList<MetricSnapshot> snapshots)
    {
        IEnumerable<MetricPoint> Points(string name) => snapshots.Where(metric => metric.Name == name).SelectMany(metric => metric.MetricPoints);
        return new Measured(
            [.. snapshots.Select(metric => metric.Name)],
            Points("reactiverest.evaluations").Sum(point => point.GetSumLong()),
            Points("reactiverest.evaluation.duration").Sum(point => point.GetHistogramCount()),
            Points("reactiverest.evaluation.duration").Sum(point => point.GetHistogramSum()),
            Points("reactiverest.evaluation.queries").Sum(point => point.GetSumLong()),
            Points("reactiverest.evaluation.batch_size").Sum(point => point.GetHistogramCount()),
            Points("reactiverest.evaluation.batch_size").Sum(point => point.GetHistogramSum()),
            Points("reactiverest.write_to_push.duration").Sum(point => point.GetHistogramCount()),
            Points("reactiverest.write_to_push.duration").Sum(point => point.GetHistogramSum()),
            Points("reactiverest.messages.sent").Sum(point => point.GetSumLong()),
            Points("reactiverest.sockets").Sum(point => point.GetSumLong()));
    }

    private sealed record Measured(
        HashSet<string> Names, long Evaluations, long EvaluationDurations, double EvaluationSeconds, long Queries, long BatchSizes, double BatchedObservers,
        long Latencies, double LatencySeconds,
        long MessagesSent, long Sockets);
}
