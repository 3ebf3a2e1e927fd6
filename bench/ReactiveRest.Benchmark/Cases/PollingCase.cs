using System.Diagnostics;
using System.Globalization;
using ReactiveRest.Benchmark.Clients;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>
/// The baseline: no WebSocket, one client GETs the same query every second while the same writes run. A write's
/// latency is from its PATCH's answer to the answer of the first poll whose items show it.
/// </summary>
internal static class PollingCase
{
    public static async Task<CaseResult> RunAsync(CaseContext context, PollingSpec spec)
    {
        var result = new CaseResult
        {
            Key = spec.Key,
            Title = spec.Title,
            Replicas = context.Stack.Observers.Count,
            Subscribers = 1,
            Observers = 0,
            Writes = spec.Writes,
            WritePattern = $"{spec.WritesPerSecond.ToString(CultureInfo.InvariantCulture)}/s",
        };

        context.Progress($"{spec.Title}: creating a board of {spec.TasksPerBoard} tasks");
        var board = (await Boards.CreateAsync(context, 1, spec.TasksPerBoard))[0];
        var writes = Enumerable.Range(0, spec.Writes)
            .Select(i => (TaskId: board.Tasks[i % spec.TasksPerBoard], Title: context.Prefix + i.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var needles = writes.Select(write => $"\"title\":\"{write.Title}\"").ToArray();
        var seen = new long[spec.Writes];

        context.Progress($"{spec.Title}: {spec.Writes} writes, polling every {spec.PollInterval.TotalSeconds:F0} s");
        var phase = await WritePhase.StartAsync(context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var polling = PollAsync(context, Boards.Query(board.Id), spec.PollInterval, needles, seen, result, stop.Token);
        var outcomes = await WriteDriver.PacedAsync(context.Api, writes, spec.WritesPerSecond, context.Cancellation);
        var complete = await SubscriberFleet.WaitUntilAsync(
            () => Enumerable.Range(0, spec.Writes).All(i => !outcomes[i].Succeeded || Volatile.Read(ref seen[i]) != 0),
            CaseContext.DeliveryDeadline, context.Cancellation);
        await stop.CancelAsync();
        await polling;

        var succeeded = outcomes.Count(outcome => outcome.Succeeded);
        await phase.EndAsync(result, succeeded);
        var latencies = new List<double>();
        var lost = 0;
        for (var i = 0; i < spec.Writes; i++)
        {
            if (!outcomes[i].Succeeded)
            {
                continue;
            }

            if (seen[i] != 0)
            {
                latencies.Add(SubscriptionCase.Milliseconds(outcomes[i].Answered, seen[i]));
            }
            else
            {
                lost++;
            }
        }

        result.ExpectedFrames = succeeded;
        result.Latency = LatencySummary.Of(latencies, lost);
        result.WriteRoundTrip = SubscriptionCase.RoundTrips(outcomes);
        result.WriteErrors = spec.Writes - succeeded;
        result.Problems.AddRange(outcomes.Where(outcome => !outcome.Succeeded).Take(3).Select(outcome => $"write: {outcome.Status} {outcome.Error}"));
        if (!complete)
        {
            result.Problems.Add($"polling: {spec.Writes - lost} of {spec.Writes} writes seen within {CaseContext.DeliveryDeadline.TotalSeconds:F0} s of the last write's answer");
        }

        context.Progress($"{spec.Title}: p50 {result.Latency.P50:F1} ms, p99 {result.Latency.P99:F1} ms, {result.Extra["polls"]} polls, {result.SqlPerWrite:F1} SQL/write");
        return result;
    }

    private static async Task PollAsync(CaseContext context, string query, TimeSpan interval, string[] needles, long[] seen, CaseResult result, CancellationToken stop)
    {
        var polls = 0;
        var failures = 0;
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                var (status, body, answered) = await context.Api.GetAsync($"/api/tasks?{query}", stop);
                polls++;
                if (status != 200)
                {
                    failures++;
                    continue;
                }

                for (var i = 0; i < needles.Length; i++)
                {
                    if (Volatile.Read(ref seen[i]) == 0 && body.Contains(needles[i], StringComparison.Ordinal))
                    {
                        Volatile.Write(ref seen[i], answered);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }

        result.Extra["polls"] = polls;
        if (failures > 0)
        {
            result.Problems.Add($"polling: {failures} of {polls} GETs failed");
        }
    }
}
