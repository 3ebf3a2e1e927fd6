using System.Globalization;
using ReactiveRest.Benchmark.Clients;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Cases;

/// <summary>
/// Issue 17's noisy neighbour. The case's user (the victim) has 100 subscribers of one board's query; its paced writes
/// are timed first alone (quiet), then while another user holds every quota (noisy). Both phases measure the same
/// subscribers, so the ratio of their p99s is the noisy user's cost to the victim. Memory (the api's and the observers'
/// RSS, Redis's used_memory) is read when the noisy user has reached its quotas and at the end of the noisy phase: once
/// at its quotas, the noisy user should not make the service grow.
/// </summary>
internal static class NoisyNeighbourCase
{
    private const int TasksPerBoard = 50;

    private const double WarmWritesPerSecond = 10;

    /// <summary>The noisy user's load runs this long before the victim's writes, so that they meet it in its steady state.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public const string AtQuotas = "at quotas";
    public const string AtVictimWrites = "when the victim's writes start";
    public const string AtEnd = "at end";

    /// <summary>The <see cref="CaseResult.Extra"/> key of a memory figure (MiB), one of <see cref="MemoryOf"/> <paramref name="when"/>.</summary>
    public static string MemoryKey(string what, string when) => $"{what} {when} (MiB)";

    /// <summary>What memory is read: the api's RSS, the observers' (all replicas summed), and Redis's used_memory.</summary>
    public static readonly string[] MemoryOf = ["api RSS", "observers RSS", "redis used_memory"];

    public static async Task<IReadOnlyList<CaseResult>> RunAsync(CaseContext context, NoisyNeighbourSpec spec)
    {
        var stack = context.Stack;
        var quiet = NewResult(context, spec, spec.QuietKey, $"{spec.Title}: quiet, the other user not there yet");
        var noisy = NewResult(context, spec, spec.Key, $"{spec.Title}: noisy, the other user at its quotas");

        context.Progress($"{spec.Title}: the victim's board of {TasksPerBoard} tasks");
        var board = (await Boards.CreateAsync(context, 1, TasksPerBoard))[0];
        var total = spec.WarmWrites + 2 * spec.Writes;
        var writes = Enumerable.Range(0, total)
            .Select(i => (TaskId: board.Tasks[i % TasksPerBoard], Title: context.Prefix + i.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var expectations = new FrameExpectations(context.Prefix, new int[total], [.. Enumerable.Repeat(true, total)]);
        var specs = Enumerable.Range(0, spec.VictimSubscribers)
            .Select(k => new SubscriberSpec($"c{context.Number}s{k}", stack.Observers[k % stack.Observers.Count].BaseAddress, 0, [Boards.Query(board.Id)]))
            .ToList();
        context.Progress($"{spec.Title}: connecting the victim's {spec.VictimSubscribers} subscribers");
        var fleet = await SubscriberFleet.ConnectAsync(specs, expectations, context.Api, 50, context.Cancellation);
        using var noisyApi = new ApiClient(stack.Api.BaseAddress);
        var noisyUser = new NoisyUser(noisyApi, [.. stack.Observers.Select(replica => replica.BaseAddress)], $"c{context.Number}");
        try
        {
            quiet.SubscribeSeconds = fleet.SubscribeDuration.TotalSeconds;
            quiet.SubscribeErrors = fleet.Failures;
            quiet.ConnectTimes = fleet.ConnectTimes;
            quiet.ObserveTimes = fleet.ObserveTimes;
            quiet.Problems.AddRange(fleet.Errors.Select(error => "subscribe: " + error));
            var live = fleet.Clients.Where(client => client.Observers.Count > 0).ToList();
            await SubscriptionCase.WarmUpAsync(context, [board], expectations, live.Count, quiet);
            context.Progress($"{spec.Title}: {spec.WarmWrites} writes at {WarmWritesPerSecond}/s to warm the stack up (not reported)");
            await PhaseAsync(context, null, live, writes, 0, spec.WarmWrites, WarmWritesPerSecond);

            context.Progress($"{spec.Title}: quiet phase, {spec.Writes} writes at {spec.WritesPerSecond}/s");
            await PhaseAsync(context, quiet, live, writes, spec.WarmWrites, spec.Writes, spec.WritesPerSecond);
            Fleet(quiet, live);
            context.Progress($"{spec.Title}: quiet p50 {quiet.Latency?.P50:F1} ms, p99 {quiet.Latency?.P99:F1} ms, lost {quiet.Latency?.Lost}");

            await noisyApi.AuthenticateAsync($"bench-c{context.Number}-noisy", context.Cancellation);
            context.Progress($"{spec.Title}: the noisy user's {spec.NoisyBoards} boards of {TasksPerBoard} tasks, titles of {spec.NoisyTitleLength} characters");
            await noisyUser.CreateBoardsAsync(spec.NoisyBoards, spec.NoisyTitleLength, spec.NoisyWritesPerSecond, context.Cancellation);
            var reaching = System.Diagnostics.Stopwatch.GetTimestamp();
            context.Progress($"{spec.Title}: the noisy user opens {spec.NoisySockets} (+{spec.Probes}) sockets, observes {spec.NoisyObservers} (+{spec.Probes}) queries at {spec.NoisyObservesPerSecond}/s");
            await noisyUser.OpenSocketsAsync(spec.NoisySockets, spec.Probes, spec.HeartbeatInterval, context.Cancellation);
            await noisyUser.ObserveAsync(spec.NoisyObservers, spec.Probes, spec.NoisyObservesPerSecond, context.Cancellation);
            noisy.Extra["noisy seconds to reach its quotas"] = System.Diagnostics.Stopwatch.GetElapsedTime(reaching).TotalSeconds;
            context.Progress($"{spec.Title}: the noisy user holds {noisyUser.Sockets.Count} sockets and {noisyUser.Observers.Count} observers; refused: {Describe(noisyUser.Refusals)}");
            await MemoryAsync(context, noisy, AtQuotas);

            noisyUser.StartWriting(spec.NoisyWritesPerSecond, spec.NoisyTitleLength);
            await Task.Delay(Settle, context.Cancellation);
            // A reading in between: growth that goes on through the phase is not a one-off step.
            await MemoryAsync(context, noisy, AtVictimWrites);
            var evaluationsBefore = await noisyApi.SumEvaluationsAsync([.. noisyUser.Observers], context.Cancellation);
            var noisyWritesBefore = noisyUser.Writes;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            context.Progress($"{spec.Title}: noisy phase, {spec.Writes} writes at {spec.WritesPerSecond}/s while the noisy user writes at {spec.NoisyWritesPerSecond}/s and heartbeats every {spec.HeartbeatInterval.TotalMilliseconds:F0} ms");
            await PhaseAsync(context, noisy, live, writes, spec.WarmWrites + spec.Writes, spec.Writes, spec.WritesPerSecond);
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            await MemoryAsync(context, noisy, AtEnd);
            var evaluationsAfter = await noisyApi.SumEvaluationsAsync([.. noisyUser.Observers], context.Cancellation);
            noisy.Extra["noisy writes per second (answered)"] = (noisyUser.Writes - noisyWritesBefore) / seconds;
            noisy.Extra["noisy evaluations per second"] = (evaluationsAfter.Sum - evaluationsBefore.Sum) / seconds;
            if (evaluationsAfter.Missing > 0)
            {
                noisy.Extra["noisy observers gone by the end"] = evaluationsAfter.Missing;
            }

            Fleet(noisy, live);
            Noisy(noisy, noisyUser);
            if (quiet.Latency?.P99 is > 0 and var quietP99 && noisy.Latency?.P99 is { } noisyP99)
            {
                noisy.Extra["p99 noisy / quiet"] = noisyP99 / quietP99;
            }

            context.Progress($"{spec.Title}: noisy p50 {noisy.Latency?.P50:F1} ms, p99 {noisy.Latency?.P99:F1} ms, lost {noisy.Latency?.Lost}; "
                + string.Join(", ", noisy.Extra.Select(extra => $"{extra.Key} {extra.Value:0.##}")));
            return [quiet, noisy];
        }
        finally
        {
            await noisyUser.DisposeAsync();
            await fleet.CloseAsync();
        }
    }

    private static CaseResult NewResult(CaseContext context, NoisyNeighbourSpec spec, string key, string title) => new()
    {
        Key = key,
        Title = title,
        Replicas = context.Stack.Observers.Count,
        Subscribers = spec.VictimSubscribers,
        Observers = 1,
        Writes = spec.Writes,
        WritePattern = $"{spec.WritesPerSecond.ToString(CultureInfo.InvariantCulture)}/s",
    };

    /// <summary>
    /// Writes <paramref name="from"/> .. +<paramref name="count"/> paced, until every live subscriber has their frames or
    /// the deadline; their latencies into <paramref name="result"/> (none: not reported).
    /// </summary>
    private static async Task PhaseAsync(
        CaseContext context, CaseResult? result, List<SubscriberClient> live, List<(int TaskId, string Title)> writes, int from, int count, double perSecond)
    {
        var phase = await WritePhase.StartAsync(context);
        var outcomes = await WriteDriver.PacedAsync(context.Api, writes.GetRange(from, count), perSecond, context.Cancellation);
        var succeeded = Enumerable.Range(0, count).Where(j => outcomes[j].Succeeded).ToList();
        long expected = (long)live.Count * succeeded.Count;
        var complete = await SubscriberFleet.WaitUntilAsync(
            () => live.Sum(client => succeeded.Count(j => client.Arrivals[from + j] != 0)) >= expected, CaseContext.DeliveryDeadline, context.Cancellation);
        if (result is null)
        {
            return;
        }

        await phase.EndAsync(result, succeeded.Count);
        result.ExpectedFrames = expected;
        var latencies = new List<double>();
        var fromSent = new List<double>();
        var lost = 0;
        foreach (var client in live)
        {
            foreach (var j in succeeded)
            {
                if (client.Arrivals[from + j] is var arrival and not 0)
                {
                    latencies.Add(SubscriptionCase.Milliseconds(outcomes[j].Answered, arrival));
                    fromSent.Add(SubscriptionCase.Milliseconds(outcomes[j].Sent, arrival));
                }
                else
                {
                    lost++;
                }
            }
        }

        result.FramesBeforeAnswer = latencies.Count(latency => latency < 0);
        result.Latency = LatencySummary.Of(latencies, lost);
        result.LatencyFromSent = LatencySummary.Of(fromSent, lost);
        result.WriteRoundTrip = SubscriptionCase.RoundTrips(outcomes);
        result.WriteErrors = count - succeeded.Count;
        result.Problems.AddRange(outcomes.Where(outcome => !outcome.Succeeded).Take(3).Select(outcome => $"write: {outcome.Status} {outcome.Error}"));
        result.FirstSubscriberLatencies = live.Count == 0 ? null
            : [.. Enumerable.Range(0, count).Select(j => live[0].Arrivals[from + j] != 0 && outcomes[j].Succeeded
                ? Math.Round(SubscriptionCase.Milliseconds(outcomes[j].Answered, live[0].Arrivals[from + j]), 2) : (double?)null)];
        if (!complete)
        {
            result.Problems.Add($"delivery: {expected - lost:N0} of {expected:N0} expected frames within {CaseContext.DeliveryDeadline.TotalSeconds:F0} s of the last write's answer");
        }
    }

    /// <summary>The victim's protocol anomalies so far (the counters cover both phases; the noisy one shows any growth).</summary>
    private static void Fleet(CaseResult result, List<SubscriberClient> live)
    {
        result.Duplicates = live.Sum(client => client.Duplicates);
        result.Expired = live.Sum(client => client.Expired);
        result.SeqAnomalies = live.Sum(client => client.SeqAnomalies);
        result.Problems.AddRange(live.Where(client => client.FirstSeqAnomaly is not null).Take(3).Select(client => $"seq: {client.Id} {client.FirstSeqAnomaly}"));
        var closed = live.Where(client => client.ClosedBecause is not null).ToList();
        if (closed.Count > 0)
        {
            result.Problems.Add($"{closed.Count} of the victim's WebSocket(s) closed by the server, e.g. {closed[0].Id}: {closed[0].ClosedBecause}");
        }
    }

    /// <summary>What the noisy user held, what it was refused, and what became of its sockets.</summary>
    private static void Noisy(CaseResult result, NoisyUser user)
    {
        result.Extra["noisy sockets held"] = user.Sockets.Count;
        result.Extra["noisy observers held"] = user.Observers.Count;
        foreach (var (quota, count) in user.Refusals.OrderBy(refusal => refusal.Key, StringComparer.Ordinal))
        {
            result.Extra[$"noisy refused (429 {quota})"] = count;
        }

        foreach (var (status, count) in user.WriteStatuses.OrderBy(status => status.Key, StringComparer.Ordinal))
        {
            result.Extra[$"noisy writes answered {status}"] = count;
        }

        result.Extra["noisy heartbeats sent"] = user.Sockets.Sum(socket => socket.HeartbeatsSent);
        result.Extra["noisy messages received"] = user.Sockets.Sum(socket => socket.FramesReceived);
        foreach (var closes in user.Sockets.SelectMany(socket => socket.Closes).GroupBy(close => close.Key, close => close.Value).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            result.Extra[$"noisy sockets closed by the server ({closes.Key})"] = closes.Sum();
        }

        result.Extra["noisy reconnections"] = user.Sockets.Sum(socket => socket.Reconnects);
        result.Extra["noisy reconnections refused"] = user.Sockets.Sum(socket => socket.RefusedReconnects);
    }

    /// <summary>The api's and the observers' RSS and Redis's used_memory now, in MiB.</summary>
    private static async Task MemoryAsync(CaseContext context, CaseResult result, string when)
    {
        var sample = UsageSample.Take(context.Stack.Processes);
        result.Extra[MemoryKey(MemoryOf[0], when)] = sample.Rss.GetValueOrDefault("api") / 1024.0 / 1024.0;
        result.Extra[MemoryKey(MemoryOf[1], when)] = sample.Rss.Where(process => process.Key.StartsWith("observers", StringComparison.Ordinal)).Sum(process => process.Value) / 1024.0 / 1024.0;
        if (await RedisMemory.UsedBytesAsync(context.Stack.RedisConnectionString, context.Cancellation) is { } redis)
        {
            result.Extra[MemoryKey(MemoryOf[2], when)] = redis / 1024.0 / 1024.0;
        }
    }

    private static string Describe(IReadOnlyDictionary<string, int> refusals) =>
        refusals.Count == 0 ? "nothing" : string.Join(", ", refusals.Select(refusal => $"{refusal.Value} {refusal.Key}"));
}
