using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// The noisy neighbour: one user that takes all it may, within the rules. Its own boards with long titles (heavy
/// results), as many WebSockets and subscriber ids as its quotas allow, as many distinct observers as its quota allows
/// (queries it invents: <c>position__gte=-k</c> matches the same rows under a new observer each time), heartbeats on
/// every socket, and writes to its boards at a steady rate so that its observers are always due. Every refusal is
/// counted by the quota its problem names.
/// </summary>
internal sealed class NoisyUser(ApiClient api, IReadOnlyList<Uri> observers, string prefix) : IAsyncDisposable
{
    private const int TasksPerBoard = 50;
    private const int WritesInFlight = 64;

    private readonly ConcurrentDictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _writeStatuses = new(StringComparer.Ordinal);
    private readonly List<NoisyClient> _sockets = [];
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<string> _observers = [];
    private int[][] _tasks = [];
    private int[] _boards = [];
    private long _writes;

    public IReadOnlyList<NoisyClient> Sockets => _sockets;

    /// <summary>The distinct observers it holds.</summary>
    public IReadOnlyCollection<string> Observers => _observers;

    /// <summary>Refused requests by the quota named (<c>observers</c>, <c>subscribers</c>, <c>sockets</c>, <c>stored_bytes</c>), or <c>rate</c> for a 429 naming none.</summary>
    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    /// <summary>The noisy writes' answers by HTTP status (0: no answer, <c>skipped</c>: 64 were still in flight).</summary>
    public IReadOnlyDictionary<string, int> WriteStatuses => _writeStatuses;

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Boards of 50 tasks whose titles are <paramref name="titleLength"/> characters, created at the allowed write rate.</summary>
    public async Task CreateBoardsAsync(int boards, int titleLength, double perSecond, CancellationToken cancellationToken)
    {
        var pace = new Pace(perSecond);
        _boards = new int[boards];
        _tasks = new int[boards][];
        for (var board = 0; board < boards; board++)
        {
            await pace.NextAsync(cancellationToken);
            _boards[board] = await api.CreateBoardAsync($"{prefix} noisy board {board}", cancellationToken);
            _tasks[board] = new int[TasksPerBoard];
            for (var position = 0; position < TasksPerBoard; position++)
            {
                await pace.NextAsync(cancellationToken);
                _tasks[board][position] = await api.CreateTaskAsync(_boards[board], Title(position, titleLength), position, cancellationToken);
            }
        }
    }

    /// <summary>
    /// <paramref name="sockets"/> WebSockets (spread over the replicas), each with a subscriber id of its own, heartbeating
    /// from then on; then <paramref name="probes"/> more, which the sockets quota should refuse.
    /// </summary>
    public async Task OpenSocketsAsync(int sockets, int probes, TimeSpan heartbeatInterval, CancellationToken cancellationToken)
    {
        for (var index = 0; index < sockets + probes; index++)
        {
            var client = new NoisyClient($"{prefix}n{index.ToString(CultureInfo.InvariantCulture)}", observers[index % observers.Count], api.Token, heartbeatInterval);
            if (await client.ConnectAsync(cancellationToken) is { } refused)
            {
                _refusals.AddOrUpdate(refused == HttpStatusCode.TooManyRequests ? "sockets" : $"socket {(int)refused}", 1, (_, count) => count + 1);
                continue;
            }

            _sockets.Add(client);
            _running.Add(client.RunAsync(_stop.Token));
        }
    }

    /// <summary>
    /// <paramref name="count"/> observe GETs of distinct queries over its subscriber ids (round-robin), paced at the allowed
    /// rate; <paramref name="probes"/> more of new queries, which the observers quota should refuse; then
    /// <paramref name="probes"/> with new subscriber ids, which the subscribers quota should refuse.
    /// </summary>
    public async Task ObserveAsync(int count, int probes, double perSecond, CancellationToken cancellationToken)
    {
        var pace = new Pace(perSecond);
        var requests = new List<Task>();
        for (var index = 0; index < count + 2 * probes; index++)
        {
            await pace.NextAsync(cancellationToken);
            if (index == count)
            {
                // The probes must find the quota full: every observe before them answered.
                await Task.WhenAll(requests);
            }

            var subscriber = index < count + probes ? _sockets[index % _sockets.Count].Id : $"{prefix}x{(index - count).ToString(CultureInfo.InvariantCulture)}";
            var board = index % _boards.Length;
            var query = $"boardId={_boards[board].ToString(CultureInfo.InvariantCulture)}&position__gte=-{(index / _boards.Length).ToString(CultureInfo.InvariantCulture)}&ordering=position&limit={TasksPerBoard}";
            requests.Add(Task.Run(async () =>
            {
                var observed = await api.ObserveAsync(subscriber, query, cancellationToken);
                if (observed.Observer is { } observer)
                {
                    _observers.Add(observer);
                }
                else
                {
                    var reason = observed.Quota ?? (observed.Status == 429 ? "rate" : $"observe {observed.Status}");
                    _refusals.AddOrUpdate(reason, 1, (_, total) => total + 1);
                }
            }, cancellationToken));
        }

        await Task.WhenAll(requests);
    }

    /// <summary>Writes to its boards at <paramref name="perSecond"/> until disposed, one task after another, titles of the same length.</summary>
    public void StartWriting(double perSecond, int titleLength)
    {
        _running.Add(Task.Run(async () =>
        {
            var pace = new Pace(perSecond);
            using var inFlight = new SemaphoreSlim(WritesInFlight);
            var writes = new List<Task>();
            try
            {
                for (var index = 0; ; index++)
                {
                    await pace.NextAsync(_stop.Token);
                    if (!inFlight.Wait(0))
                    {
                        _writeStatuses.AddOrUpdate("skipped", 1, (_, total) => total + 1);
                        continue;
                    }

                    var board = index % _boards.Length;
                    var task = _tasks[board][index / _boards.Length % TasksPerBoard];
                    var title = Title(index + TasksPerBoard, titleLength);
                    writes.Add(Task.Run(async () =>
                    {
                        try
                        {
                            var outcome = await api.PatchTitleAsync(task, title, _stop.Token);
                            Interlocked.Increment(ref _writes);
                            _writeStatuses.AddOrUpdate(outcome.Status.ToString(CultureInfo.InvariantCulture), 1, (_, total) => total + 1);
                        }
                        finally
                        {
                            inFlight.Release();
                        }
                    }));
                }
            }
            catch (OperationCanceledException)
            {
            }

            await Task.WhenAll(writes).ContinueWith(_ => { }, TaskScheduler.Default);
        }));
    }

    /// <summary>Stops writing and heartbeating, and closes every socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    /// <summary>A title naming its write, padded to the length the results are meant to weigh.</summary>
    private static string Title(int index, int length) => ("noisy" + index.ToString(CultureInfo.InvariantCulture) + " ").PadRight(length, 'x');

    /// <summary>Open-loop pacing: the n-th call returns n / rate seconds after the first.</summary>
    private sealed class Pace(double perSecond)
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private long _count;

        public async Task NextAsync(CancellationToken cancellationToken)
        {
            var due = _start + (long)(_count++ / perSecond * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }
        }
    }
}
