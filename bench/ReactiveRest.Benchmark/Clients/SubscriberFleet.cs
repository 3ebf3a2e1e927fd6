using System.Collections.Concurrent;
using System.Diagnostics;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// A case's subscribers: connected in parallel (a bounded number at a time), each opening its WebSocket and then
/// observing its queries with GETs on the API, the order a browser client follows. Failures are counted and kept,
/// never retried: a failed connection or observe GET is a finding.
/// </summary>
internal sealed class SubscriberFleet
{
    private readonly ConcurrentBag<string> _errors = [];
    private readonly ConcurrentBag<double> _connectMs = [];
    private readonly ConcurrentBag<double> _observeMs = [];

    private SubscriberFleet(List<SubscriberClient> clients) => Clients = clients;

    public List<SubscriberClient> Clients { get; }

    /// <summary>From the first connection attempt to the last observe GET's answer.</summary>
    public TimeSpan SubscribeDuration { get; private set; }

    public int Failures => _errors.Count;

    public LatencySummary ConnectTimes => LatencySummary.Of([.. _connectMs], 0);

    /// <summary>Each observe GET's round trip (a subscriber with many queries makes many).</summary>
    public LatencySummary ObserveTimes => LatencySummary.Of([.. _observeMs], 0);

    public IReadOnlyList<string> Errors => [.. _errors.Take(5)];

    /// <summary>The API client of each observer's user, who alone may read its statistics.</summary>
    public ConcurrentDictionary<string, ApiClient> ObserverUsers { get; } = new(StringComparer.Ordinal);

    /// <summary>The observer each query was answered with.</summary>
    public ConcurrentDictionary<string, string> ObserverByQuery { get; } = new(StringComparer.Ordinal);

    public static async Task<SubscriberFleet> ConnectAsync(
        IReadOnlyList<SubscriberSpec> specs, FrameExpectations expectations, ApiClient api, int parallel, CancellationToken cancellationToken)
    {
        var fleet = new SubscriberFleet([.. specs.Select(spec => new SubscriberClient(spec.Id, spec.Group, expectations))]);
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, specs.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (index, token) =>
        {
            var spec = specs[index];
            var client = fleet.Clients[index];
            var user = spec.As ?? api;
            var connecting = Stopwatch.GetTimestamp();
            try
            {
                await client.ConnectAsync(spec.Replica, user.Token, token);
                fleet._connectMs.Add(Stopwatch.GetElapsedTime(connecting).TotalMilliseconds);
            }
            catch (Exception exception) when (exception is System.Net.WebSockets.WebSocketException or HttpRequestException)
            {
                fleet._errors.Add($"connect {spec.Id}: {exception.Message} {exception.InnerException?.Message}");
                return;
            }

            foreach (var query in spec.Queries)
            {
                var observing = Stopwatch.GetTimestamp();
                var observed = await user.ObserveAsync(spec.Id, query, token);
                fleet._observeMs.Add(Stopwatch.GetElapsedTime(observing).TotalMilliseconds);
                if (observed.Observer is { } observer)
                {
                    client.Observed(observer, observed.Seq);
                    fleet.ObserverByQuery[query] = observer;
                    fleet.ObserverUsers[observer] = user;
                }
                else
                {
                    fleet._errors.Add($"observe {spec.Id} {query}: {observed.Error}");
                }
            }
        });
        fleet.SubscribeDuration = Stopwatch.GetElapsedTime(started);
        return fleet;
    }

    /// <summary>The sum of every observer's evaluation counter, each read as its own user.</summary>
    public async Task<(long Sum, int Missing)> SumEvaluationsAsync(CancellationToken cancellationToken)
    {
        long sum = 0;
        var missing = 0;
        foreach (var group in ObserverUsers.GroupBy(pair => pair.Value, pair => pair.Key))
        {
            var (part, gone) = await group.Key.SumEvaluationsAsync([.. group], cancellationToken);
            sum += part;
            missing += gone;
        }

        return (sum, missing);
    }

    /// <summary>Waits until <paramref name="done"/> holds or the deadline passes; false on the deadline.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> done, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        while (!done())
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                return false;
            }

            await Task.Delay(20, cancellationToken);
        }

        return true;
    }

    public async Task CloseAsync() =>
        await Parallel.ForEachAsync(Clients, new ParallelOptions { MaxDegreeOfParallelism = 500 }, async (client, _) => await client.CloseAsync());
}
