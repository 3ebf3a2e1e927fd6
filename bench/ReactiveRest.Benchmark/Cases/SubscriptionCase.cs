using System.Diagnostics;
using System.Globalization;
using ReactiveRest.Benchmark.Clients;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>
/// N subscribers on one query, or spread over several boards' queries: connect and observe, a warm-up write that
/// every subscriber must receive (so every subscription is attached before anything is timed), then the timed writes
/// (paced, or a burst) and the frames they cause, matched to their write by the title each write sets.
/// </summary>
internal static class SubscriptionCase
{
    private const int ConnectParallelism = 200;
    private static readonly TimeSpan WarmUpDeadline = TimeSpan.FromSeconds(60);

    public static async Task<CaseResult> RunAsync(CaseContext context, SubscriptionSpec spec)
    {
        var stack = context.Stack;
        var result = new CaseResult
        {
            Key = spec.Key,
            Title = spec.Title,
            Replicas = stack.Observers.Count,
            Subscribers = spec.Subscribers,
            Observers = spec.Boards * Math.Max(1, spec.Users),
            Writes = spec.Writes,
            WritePattern = spec.IsBurst ? $"burst, {spec.BurstConcurrency} in flight" : $"{spec.WritesPerSecond.ToString(CultureInfo.InvariantCulture)}/s",
        };

        context.Progress($"{spec.Title}: creating {spec.Boards} board(s) of {spec.TasksPerBoard} tasks");
        var boards = await Boards.CreateAsync(context, spec.Boards, spec.TasksPerBoard);

        // Write i goes to board i mod B, and to the next task of that board in turn.
        var writes = Enumerable.Range(0, spec.Writes)
            .Select(i => (TaskId: boards[i % spec.Boards].Tasks[i / spec.Boards % spec.TasksPerBoard], Title: context.Prefix + i.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var slots = spec.Boards * spec.TasksPerBoard;
        // A burst may coalesce writes to one task; what must arrive is each task's last write. Paced writes must all arrive.
        var expected = Enumerable.Range(0, spec.Writes).Select(i => !spec.IsBurst || i + slots >= spec.Writes).ToArray();
        var expectations = new FrameExpectations(context.Prefix, [.. Enumerable.Range(0, spec.Writes).Select(i => i % spec.Boards)], expected);

        var users = await UsersAsync(context, spec, boards);
        var beforeConnecting = UsageSample.Take(stack.Processes);
        var specs = Enumerable.Range(0, spec.Subscribers)
            .Select(k => new SubscriberSpec(
                $"c{context.Number}s{k}", stack.Observers[k % stack.Observers.Count].BaseAddress, k % spec.Boards, [Boards.Query(boards[k % spec.Boards].Id)],
                users.Count > 0 ? users[k % users.Count] : null))
            .ToList();
        context.Progress($"{spec.Title}: connecting {spec.Subscribers} subscriber(s), {ConnectParallelism} at a time");
        var fleet = await SubscriberFleet.ConnectAsync(specs, expectations, context.Api, ConnectParallelism, context.Cancellation);
        result.SubscribeCpuPercent = UsageSample.CpuPercent(beforeConnecting, UsageSample.Take(stack.Processes));
        try
        {
            result.SubscribeSeconds = fleet.SubscribeDuration.TotalSeconds;
            result.SubscribeErrors = fleet.Failures;
            result.ConnectTimes = fleet.ConnectTimes;
            result.ObserveTimes = fleet.ObserveTimes;
            result.Problems.AddRange(fleet.Errors.Select(error => "subscribe: " + error));
            var live = fleet.Clients.Where(client => client.Observers.Count > 0).ToList();
            context.Progress($"{spec.Title}: {live.Count} subscribed in {fleet.SubscribeDuration.TotalSeconds:F1} s ({fleet.Failures} failures); warm-up write");

            var warmed = await WarmUpAsync(context, boards, expectations, live.Count, result);
            await Task.Delay(TimeSpan.FromSeconds(1), context.Cancellation);
            var connected = UsageSample.Take(stack.Processes);
            var observersBefore = beforeConnecting.Rss.Where(p => p.Key.StartsWith("observers", StringComparison.Ordinal)).Sum(p => p.Value);
            var observersAfter = connected.Rss.Where(p => p.Key.StartsWith("observers", StringComparison.Ordinal)).Sum(p => p.Value);
            if (live.Count > 0)
            {
                result.RssPerSubscriberKib = (observersAfter - observersBefore) / 1024.0 / live.Count;
            }

            var (evaluationsBefore, _) = await fleet.SumEvaluationsAsync(context.Cancellation);

            context.Progress($"{spec.Title}: {spec.Writes} writes ({result.WritePattern})");
            var phase = await WritePhase.StartAsync(context);
            var firstSent = Stopwatch.GetTimestamp();
            var outcomes = spec.IsBurst
                ? await WriteDriver.BurstAsync(context.Api, writes, spec.BurstConcurrency, context.Cancellation)
                : await WriteDriver.PacedAsync(context.Api, writes, spec.WritesPerSecond, context.Cancellation);
            var lastAnswered = outcomes.Max(outcome => outcome.Answered);

            result.ExpectedFrames = live.Sum(client => Enumerable.Range(0, spec.Writes).Count(i => outcomes[i].Succeeded && expectations.Expects(client.Group, i)));
            var complete = await SubscriberFleet.WaitUntilAsync(() => expectations.Matched >= result.ExpectedFrames, CaseContext.DeliveryDeadline, context.Cancellation);
            var succeeded = outcomes.Count(outcome => outcome.Succeeded);
            await phase.EndAsync(result, succeeded);
            var (evaluationsAfter, missing) = await fleet.SumEvaluationsAsync(context.Cancellation);
            if (succeeded > 0 && missing == 0)
            {
                result.EvaluationsPerWrite = (double)(evaluationsAfter - evaluationsBefore) / succeeded;
            }
            else if (missing > 0)
            {
                result.Problems.Add($"{missing} observer(s) were gone when their evaluations were counted");
            }

            Tally(result, live, outcomes, expectations);
            if (!complete)
            {
                result.Problems.Add($"delivery: {expectations.Matched:N0} of {result.ExpectedFrames:N0} expected frames within {CaseContext.DeliveryDeadline.TotalSeconds:F0} s of the last write's answer");
                await DescribeLossAsync(context, result, fleet, live, outcomes, expectations, boards);
            }

            if (spec.IsBurst)
            {
                Burst(result, live, outcomes, expected, firstSent, lastAnswered);
            }

            context.Progress($"{spec.Title}: p50 {result.Latency?.P50:F1} ms, p99 {result.Latency?.P99:F1} ms, lost {result.Latency?.Lost}, "
                + $"{result.EvaluationsPerWrite:F2} evaluations/write, {result.SqlPerWrite:F1} SQL/write; warm-up {(warmed ? "ok" : "TIMED OUT")}");
            return result;
        }
        finally
        {
            await fleet.CloseAsync();
            foreach (var user in users)
            {
                user.Dispose();
            }
        }
    }

    /// <summary>For a case of several users: an API client per user, each a member of every board. None otherwise.</summary>
    private static async Task<IReadOnlyList<ApiClient>> UsersAsync(CaseContext context, SubscriptionSpec spec, (int Id, int[] Tasks)[] boards)
    {
        if (spec.Users <= 1)
        {
            return [];
        }

        context.Progress($"{spec.Title}: {spec.Users} users, members of every board");
        var users = new ApiClient[spec.Users];
        await Parallel.ForEachAsync(Enumerable.Range(0, spec.Users), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = context.Cancellation }, async (index, token) =>
        {
            var name = $"bench-c{context.Number}-u{index.ToString(CultureInfo.InvariantCulture)}";
            users[index] = new ApiClient(context.Stack.Api.BaseAddress);
            await users[index].AuthenticateAsync(name, token);
            foreach (var board in boards)
            {
                await context.Api.AddMemberAsync(board.Id, name, token);
            }
        });
        return users;
    }

    /// <summary>One write per board that every live subscriber must receive: every subscription is attached and delivering.</summary>
    public static async Task<bool> WarmUpAsync(CaseContext context, (int Id, int[] Tasks)[] boards, FrameExpectations expectations, int live, CaseResult result)
    {
        var answered = Stopwatch.GetTimestamp();
        foreach (var board in boards)
        {
            var outcome = await context.Api.PatchTitleAsync(board.Tasks[0], expectations.WarmTitle, context.Cancellation);
            if (!outcome.Succeeded)
            {
                result.Problems.Add($"warm-up write: {outcome.Status} {outcome.Error}");
            }

            answered = outcome.Answered;
        }

        var warmed = await SubscriberFleet.WaitUntilAsync(() => expectations.Warm >= live, WarmUpDeadline, context.Cancellation);
        result.WarmUpSeconds = Stopwatch.GetElapsedTime(answered).TotalSeconds;
        if (!warmed)
        {
            result.Problems.Add($"warm-up: {expectations.Warm:N0} of {live:N0} subscribers received the warm-up frame within {WarmUpDeadline.TotalSeconds:F0} s");
        }

        return warmed;
    }

    /// <summary>For a report: which writes went missing, what their observers' counters say, and what the database holds now.</summary>
    private static async Task DescribeLossAsync(
        CaseContext context, CaseResult result, SubscriberFleet fleet, List<SubscriberClient> live, WriteResult[] outcomes, FrameExpectations expectations, (int Id, int[] Tasks)[] boards)
    {
        var missing = Enumerable.Range(0, outcomes.Length)
            .Where(i => outcomes[i].Succeeded && expectations.Expected[i] && live.Any(client => client.Group == expectations.WriteGroups[i] && client.Arrivals[i] == 0))
            .ToList();
        result.Problems.Add($"writes whose frame some subscriber lacks: {string.Join(", ", missing.Take(20).Select(i => $"#{i} ({live.Count(client => client.Group == expectations.WriteGroups[i] && client.Arrivals[i] == 0)} subscribers)"))}");
        foreach (var group in missing.Select(i => expectations.WriteGroups[i]).Distinct().Take(2))
        {
            var observer = live.First(client => client.Group == group).Observers[0];
            result.Problems.Add($"observer {observer} after the deadline: {await fleet.ObserverUsers.GetValueOrDefault(observer, context.Api).StatsTextAsync(observer, context.Cancellation)}");
            var (_, page, _) = await context.Api.GetAsync($"/api/tasks?{Boards.Query(boards[group].Id)}", context.Cancellation);
            var titles = missing.Where(i => expectations.WriteGroups[i] == group).Select(expectations.Title).Where(title => page.Contains($"\"title\":\"{title}\"", StringComparison.Ordinal));
            result.Problems.Add($"a plain GET of board {boards[group].Id} now shows the missing titles: {string.Join(", ", titles)}");
        }
    }

    /// <summary>Latencies of every expected frame (lost ones count as infinitely late) and the protocol anomalies seen.</summary>
    private static void Tally(CaseResult result, List<SubscriberClient> live, WriteResult[] outcomes, FrameExpectations expectations)
    {
        var latencies = new List<double>();
        var fromSent = new List<double>();
        var lost = 0;
        foreach (var client in live)
        {
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (!outcomes[i].Succeeded || expectations.WriteGroups[i] != client.Group)
                {
                    continue;
                }

                if (client.Arrivals[i] != 0)
                {
                    latencies.Add(Milliseconds(outcomes[i].Answered, client.Arrivals[i]));
                    fromSent.Add(Milliseconds(outcomes[i].Sent, client.Arrivals[i]));
                }
                else if (expectations.Expected[i])
                {
                    lost++;
                }
            }
        }

        result.FramesBeforeAnswer = latencies.Count(latency => latency < 0);
        result.Latency = LatencySummary.Of(latencies, lost);
        result.LatencyFromSent = LatencySummary.Of(fromSent, lost);
        result.WriteRoundTrip = RoundTrips(outcomes);
        result.FirstSubscriberLatencies = live.Count == 0 ? null
            : [.. Enumerable.Range(0, outcomes.Length).Select(i => live[0].Arrivals[i] != 0 && outcomes[i].Succeeded && expectations.WriteGroups[i] == live[0].Group
                ? Math.Round(Milliseconds(outcomes[i].Answered, live[0].Arrivals[i]), 2) : (double?)null)];
        result.WriteErrors = outcomes.Count(outcome => !outcome.Succeeded);
        result.Problems.AddRange(outcomes.Where(outcome => !outcome.Succeeded).Take(3).Select(outcome => $"write: {outcome.Status} {outcome.Error}"));
        result.Duplicates = live.Sum(client => client.Duplicates);
        result.Expired = live.Sum(client => client.Expired);
        result.SeqAnomalies = live.Sum(client => client.SeqAnomalies);
        result.Problems.AddRange(live.Where(client => client.FirstSeqAnomaly is not null).Take(3).Select(client => $"seq: {client.Id} {client.FirstSeqAnomaly}"));
        var closed = live.Where(client => client.ClosedBecause is not null).ToList();
        if (closed.Count > 0)
        {
            result.Problems.Add($"{closed.Count} WebSocket(s) closed by the server during the case, e.g. {closed[0].Id}: {closed[0].ClosedBecause}");
        }
    }

    /// <summary>The burst's own figures: its duration and rate, and when every subscriber had every task's final state.</summary>
    private static void Burst(CaseResult result, List<SubscriberClient> live, WriteResult[] outcomes, bool[] final, long firstSent, long lastAnswered)
    {
        result.Extra["burstSeconds"] = Stopwatch.GetElapsedTime(firstSent, lastAnswered).TotalSeconds;
        result.Extra["writesPerSecond"] = outcomes.Length / result.Extra["burstSeconds"];
        var finalArrivals = live.SelectMany(client => Enumerable.Range(0, outcomes.Length).Where(i => final[i] && outcomes[i].Succeeded).Select(i => client.Arrivals[i])).ToList();
        if (finalArrivals.Count > 0 && finalArrivals.All(arrival => arrival != 0))
        {
            result.Extra["finalStateSeconds"] = Stopwatch.GetElapsedTime(firstSent, finalArrivals.Max()).TotalSeconds;
        }

        result.Extra["supersededFrames"] = live.Sum(client => Enumerable.Range(0, outcomes.Length).Count(i => !final[i] && outcomes[i].Succeeded && client.Arrivals[i] == 0));
    }

    public static LatencySummary RoundTrips(WriteResult[] outcomes) =>
        LatencySummary.Of([.. outcomes.Where(outcome => outcome.Succeeded).Select(outcome => Milliseconds(outcome.Sent, outcome.Answered))], 0);

    public static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
