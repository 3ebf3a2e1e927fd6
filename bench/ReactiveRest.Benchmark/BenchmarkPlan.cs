using ReactiveRest.Benchmark.Cases;

namespace ReactiveRest.Benchmark;

/// <summary>
/// The cases of a run, grouped by the stack they run on: a fresh stack per group, so that memory and CPU readings of
/// one group are not those of another. The full run takes the sizes of issue 7; the quick one is CI's smoke test.
/// </summary>
internal sealed record BenchmarkPlan(bool Quick, IReadOnlyList<StackPlan> Stacks)
{
    private const double Rate = 5;
    private static readonly TimeSpan PollEverySecond = TimeSpan.FromSeconds(1);

    /// <summary>Only the cases named (by key), for looking into one of them.</summary>
    public BenchmarkPlan Only(IReadOnlyCollection<string> keys) =>
        keys.Count == 0 ? this : this with { Stacks = [.. Stacks.Select(stack => stack with { Cases = [.. stack.Cases.Where(spec => keys.Contains(spec.Key))] })] };

    public static BenchmarkPlan Full() => new(false,
    [
        new StackPlan(2,
        [
            new IdleSpec("idle", "Idle stack, no clients", TimeSpan.FromSeconds(10)),
            ColdStart(2, 10),
            WarmUp(2),
            new PollingSpec("poll", "Polling client, GET every 1 s (baseline)", 50, 100, Rate, PollEverySecond),
            new SubscriptionSpec("one-1", "1 subscriber, one query", 1, 1, 50, 100, Rate),
            new SubscriptionSpec("one-100", "100 subscribers, one query", 100, 1, 50, 100, Rate),
            new SubscriptionSpec("one-1000", "1,000 subscribers, one query", 1000, 1, 50, 100, Rate),
            new SubscriptionSpec("spread-1000x100", "1,000 subscribers over 100 queries", 1000, 100, 50, 100, Rate),
            new SubscriptionSpec("users-100", "100 users on one board's query, one subscriber each (100 observers per write)", 100, 1, 50, 100, Rate, Users: 100),
            new SubscriptionSpec("burst", "Write burst: 200 PATCHes, 100 subscribers", 100, 1, 50, 200, 0),
            new SelectivitySpec("selectivity", "3,000 observers on other boards or filters", 3000, 100, 50, 100, Rate),
            new IdleSpec("idle-after", "Idle stack after the cases, no clients", TimeSpan.FromSeconds(10)),
        ]),
        new StackPlan(1,
        [
            new IdleSpec("idle-1", "Idle stack, no clients, one observers process", TimeSpan.FromSeconds(10)),
            ColdStart(1, 10),
            WarmUp(1),
            new SubscriptionSpec("one-1-r1", "1 subscriber, one query, one observers process", 1, 1, 50, 100, Rate),
            new SubscriptionSpec("one-10000", "10,000 subscribers, one query, one observers process", 10_000, 1, 50, 100, Rate),
        ]),
        new StackPlan(2,
        [
            new NoisyNeighbourSpec("noisy-neighbour", "100 subscribers of one user while another holds every quota", 100, 100, Rate,
                NoisyBoards: 4, NoisyObservers: 1000, NoisySockets: 100, NoisyWritesPerSecond: 40, NoisyObservesPerSecond: 90, HeartbeatInterval: TimeSpan.FromMilliseconds(100)),
        ], ShippedQuotas),
    ]);

    /// <summary>
    /// ReactiveOptions' defaults, as shipped, given explicitly because the benchmark's stack raises them (one bench user
    /// plays thousands of clients elsewhere): the noisy neighbour is about what these very limits protect.
    /// </summary>
    private static readonly Dictionary<string, string> ShippedQuotas = new(StringComparer.Ordinal)
    {
        ["Reactive:ObservesPerSecondPerUser"] = "100",
        ["Reactive:WritesPerSecondPerUser"] = "50",
        ["Reactive:MaxSocketsPerUser"] = "100",
        ["Reactive:MaxObserversPerSubscriber"] = "1000",
        ["Reactive:MaxObserversPerUser"] = "1000",
        ["Reactive:MaxSubscribersPerUser"] = "100",
        ["Reactive:MaxStoredBytesPerUser"] = (64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The first writes on a fresh stack, one subscriber per observers replica, so that every replica has evaluated
    /// (and compiled its code paths) before the cases that follow; its own figures show what a cold replica costs.
    /// </summary>
    private static SubscriptionSpec ColdStart(int replicas, int writes) =>
        new(replicas == 1 ? "cold-start-1" : "cold-start", $"First writes on a fresh stack, one subscriber per observers replica ({replicas})", replicas, 1, 50, writes, Rate);

    /// <summary>
    /// 300 writes at 50 a second after the cold start, so that .NET has compiled the hot paths with full optimization
    /// (tiered compilation promotes a method after it ran 30 times): the cases that follow measure the steady state,
    /// which is what the goals are about. Its own figures are reported, not judged.
    /// </summary>
    private static SubscriptionSpec WarmUp(int replicas) =>
        new(replicas == 1 ? "warm-up-1" : "warm-up", $"Warm-up: 300 writes at 50/s, one subscriber per observers replica ({replicas}), not judged", replicas, 1, 50, 300, 50);

    /// <remarks>
    /// Without the noisy neighbour: a tiny version of it (10 subscribers, its quotas lowered tenfold) needs a stack of its
    /// own and added about 1¾ minutes to the quick run (5 of its 8), too much for a smoke test.
    /// </remarks>
    public static BenchmarkPlan Small() => new(true,
    [
        new StackPlan(2,
        [
            new IdleSpec("idle", "Idle stack, no clients", TimeSpan.FromSeconds(3)),
            ColdStart(2, 5),
            new PollingSpec("poll", "Polling client, GET every 1 s (baseline)", 50, 20, Rate, PollEverySecond),
            new SubscriptionSpec("one-1", "1 subscriber, one query", 1, 1, 50, 20, Rate),
            new SubscriptionSpec("one-10", "10 subscribers, one query", 10, 1, 50, 20, Rate),
            new SubscriptionSpec("spread-20x5", "20 subscribers over 5 queries", 20, 5, 50, 20, Rate),
            new SubscriptionSpec("users-10", "10 users on one board's query, one subscriber each (10 observers per write)", 10, 1, 50, 20, Rate, Users: 10),
            new SubscriptionSpec("burst", "Write burst: 60 PATCHes, 10 subscribers", 10, 1, 50, 60, 0),
            new SelectivitySpec("selectivity", "30 observers on other boards or filters", 30, 10, 50, 10, Rate),
        ]),
        new StackPlan(1,
        [
            ColdStart(1, 5),
            new SubscriptionSpec("one-100", "100 subscribers, one query, one observers process", 100, 1, 50, 20, Rate),
        ]),
    ]);
}

/// <summary>
/// Cases that share one stack with <see cref="ObserverReplicas"/> observers processes, and <see cref="Settings"/> on top
/// of the benchmark's own (null: none).
/// </summary>
internal sealed record StackPlan(int ObserverReplicas, IReadOnlyList<CaseSpec> Cases, IReadOnlyDictionary<string, string>? Settings = null);
