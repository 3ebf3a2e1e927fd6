using System.Diagnostics;
using System.Globalization;
using ReactiveRest.Benchmark.Clients;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>
/// Thousands of observers that writes to the target board cannot affect, in three kinds (a third each): other boards'
/// queries (another partition), the target board with a title filter no row matches, and the whole table with such a
/// filter; plus one observer of the target board that every write affects. The writes go to the target board; the
/// evaluation counters say which observers they evaluated.
/// </summary>
internal static class SelectivityCase
{
    private static readonly string[] Kinds = ["other board", "same board, filter matching nothing", "whole table, filter matching nothing"];
    private static readonly TimeSpan SettleDeadline = TimeSpan.FromSeconds(90);

    public static async Task<CaseResult> RunAsync(CaseContext context, SelectivitySpec spec)
    {
        var stack = context.Stack;
        var result = new CaseResult
        {
            Key = spec.Key,
            Title = spec.Title,
            Replicas = stack.Observers.Count,
            Subscribers = 1 + (spec.Others + spec.QueriesPerSubscriber - 1) / spec.QueriesPerSubscriber,
            Observers = spec.Others + 1,
            Writes = spec.Writes,
            WritePattern = $"{spec.WritesPerSecond.ToString(CultureInfo.InvariantCulture)}/s",
        };

        var perKind = spec.Others / Kinds.Length;
        context.Progress($"{spec.Title}: creating the target board and {perKind} other boards");
        var target = (await Boards.CreateAsync(context, 1, spec.TasksPerBoard))[0];
        var others = await Boards.CreateAsync(context, perKind, 0);
        var queries = new List<(int Kind, string Query)>();
        for (var k = 0; k < perKind; k++)
        {
            queries.Add((0, Boards.Query(others[k].Id)));
            queries.Add((1, $"boardId={target.Id}&title__icontains=nomatch{k}&ordering=position&limit=50"));
            queries.Add((2, $"title__icontains=nomatch{k}&ordering=position&limit=50"));
        }

        var writes = Enumerable.Range(0, spec.Writes)
            .Select(i => (TaskId: target.Tasks[i % spec.TasksPerBoard], Title: context.Prefix + i.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var expectations = new FrameExpectations(context.Prefix, new int[spec.Writes], [.. Enumerable.Repeat(true, spec.Writes)]);
        var specs = new List<SubscriberSpec> { new($"c{context.Number}affected", stack.Observers[0].BaseAddress, 0, [Boards.Query(target.Id)]) };
        specs.AddRange(queries.Chunk(spec.QueriesPerSubscriber).Select((chunk, index) =>
            new SubscriberSpec($"c{context.Number}s{index}", stack.Observers[(index + 1) % stack.Observers.Count].BaseAddress, -1, [.. chunk.Select(query => query.Query)])));

        context.Progress($"{spec.Title}: {specs.Count} subscribers observing {queries.Count + 1} queries");
        var beforeConnecting = UsageSample.Take(stack.Processes);
        var fleet = await SubscriberFleet.ConnectAsync(specs, expectations, context.Api, 64, context.Cancellation);
        result.SubscribeCpuPercent = UsageSample.CpuPercent(beforeConnecting, UsageSample.Take(stack.Processes));
        try
        {
            result.SubscribeSeconds = fleet.SubscribeDuration.TotalSeconds;
            result.SubscribeErrors = fleet.Failures;
            result.ConnectTimes = fleet.ConnectTimes;
            result.ObserveTimes = fleet.ObserveTimes;
            result.Problems.AddRange(fleet.Errors.Select(error => "subscribe: " + error));
            var affected = fleet.Clients[0];
            var byKind = Enumerable.Range(0, Kinds.Length)
                .Select(kind => queries.Where(query => query.Kind == kind && fleet.ObserverByQuery.ContainsKey(query.Query)).Select(query => fleet.ObserverByQuery[query.Query]).ToList())
                .ToList();
            context.Progress($"{spec.Title}: subscribed in {fleet.SubscribeDuration.TotalSeconds:F1} s ({fleet.Failures} failures); waiting for the first evaluations to settle");

            // Each new observer is evaluated once after its creation; the counters must stand still before counting.
            var settling = Stopwatch.GetTimestamp();
            var before = await SettledAsync(context, byKind, result);
            var unaffectedCount = byKind.Sum(kind => kind.Count);
            result.Extra["settleSeconds"] = Stopwatch.GetElapsedTime(settling).TotalSeconds;
            result.Extra["evaluations per unaffected observer once settled"] = unaffectedCount == 0 ? 0 : (double)before.Sum() / unaffectedCount;
            var warm = await context.Api.PatchTitleAsync(target.Tasks[0], expectations.WarmTitle, context.Cancellation);
            if (!await SubscriberFleet.WaitUntilAsync(() => expectations.Warm >= 1, TimeSpan.FromSeconds(30), context.Cancellation))
            {
                result.Problems.Add($"warm-up: the affected subscriber got no frame within 30 s (write answered {warm.Status})");
            }

            result.WarmUpSeconds = Stopwatch.GetElapsedTime(warm.Answered).TotalSeconds;
            before = await SettledAsync(context, byKind, result);
            var affectedBefore = affected.Observers.Count == 1 ? await context.Api.EvaluationsAsync(affected.Observers[0], context.Cancellation) : null;

            context.Progress($"{spec.Title}: {spec.Writes} writes to the target board");
            var phase = await WritePhase.StartAsync(context);
            var outcomes = await WriteDriver.PacedAsync(context.Api, writes, spec.WritesPerSecond, context.Cancellation);
            var succeeded = outcomes.Count(outcome => outcome.Succeeded);
            result.ExpectedFrames = succeeded;
            var complete = await SubscriberFleet.WaitUntilAsync(() => expectations.Matched >= succeeded, CaseContext.DeliveryDeadline, context.Cancellation);
            // Evaluations caused by the last writes may still be running on other observers: give them the same time.
            await Task.Delay(TimeSpan.FromSeconds(2), context.Cancellation);
            await phase.EndAsync(result, succeeded);
            var after = await SumByKindAsync(context, byKind);
            var affectedAfter = affected.Observers.Count == 1 ? await context.Api.EvaluationsAsync(affected.Observers[0], context.Cancellation) : null;

            var latencies = Enumerable.Range(0, spec.Writes).Where(i => outcomes[i].Succeeded && affected.Arrivals[i] != 0)
                .Select(i => SubscriptionCase.Milliseconds(outcomes[i].Answered, affected.Arrivals[i])).ToList();
            result.Latency = LatencySummary.Of(latencies, succeeded - latencies.Count);
            result.WriteRoundTrip = SubscriptionCase.RoundTrips(outcomes);
            result.WriteErrors = spec.Writes - succeeded;
            result.SeqAnomalies = affected.SeqAnomalies;
            result.Expired = fleet.Clients.Sum(client => client.Expired);
            if (!complete)
            {
                result.Problems.Add($"delivery: {expectations.Matched} of {succeeded} frames reached the affected subscriber");
            }

            if (succeeded > 0)
            {
                var unaffected = after.Sum() - before.Sum();
                result.EvaluationsPerWrite = (double)unaffected / succeeded;
                result.Extra["unaffectedEvaluationsPerWrite"] = (double)unaffected / succeeded;
                for (var kind = 0; kind < Kinds.Length; kind++)
                {
                    result.Extra[$"evaluationsPerWrite: {Kinds[kind]} ({byKind[kind].Count})"] = (double)(after[kind] - before[kind]) / succeeded;
                }

                if (affectedBefore is { } first && affectedAfter is { } last)
                {
                    result.Extra["affectedEvaluationsPerWrite"] = (double)(last - first) / succeeded;
                }
            }

            context.Progress($"{spec.Title}: {result.Extra.GetValueOrDefault("unaffectedEvaluationsPerWrite"):F2} evaluations/write of unaffected observers, "
                + $"{result.Extra.GetValueOrDefault("affectedEvaluationsPerWrite"):F2} of the affected one; p50 {result.Latency.P50:F1} ms");
            return result;
        }
        finally
        {
            await fleet.CloseAsync();
        }
    }

    /// <summary>The counters by kind once two readings two seconds apart agree (or the deadline passes).</summary>
    private static async Task<long[]> SettledAsync(CaseContext context, List<List<string>> byKind, CaseResult result)
    {
        var started = Stopwatch.GetTimestamp();
        var previous = await SumByKindAsync(context, byKind);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), context.Cancellation);
            var current = await SumByKindAsync(context, byKind);
            if (current.SequenceEqual(previous))
            {
                return current;
            }

            if (Stopwatch.GetElapsedTime(started) > SettleDeadline)
            {
                result.Problems.Add($"the evaluation counters of idle observers were still moving after {SettleDeadline.TotalSeconds:F0} s");
                return current;
            }

            previous = current;
        }
    }

    private static async Task<long[]> SumByKindAsync(CaseContext context, List<List<string>> byKind)
    {
        var sums = new long[byKind.Count];
        for (var kind = 0; kind < byKind.Count; kind++)
        {
            var (sum, missing) = await context.Api.SumEvaluationsAsync(byKind[kind], context.Cancellation);
            if (missing > 0)
            {
                throw new InvalidOperationException($"{missing} observers of kind '{Kinds[kind]}' vanished while idle (their subscribers are connected).");
            }

            sums[kind] = sum;
        }

        return sums;
    }
}
