using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace ReactiveRest.Client;

/// <summary>
/// A subscriber of ReactiveRest (docs/protocol.md): any list or detail GET of the API observed as a live list. One
/// WebSocket per client, opened by the first <see cref="ObserveAsync{T}"/> and shared by all; when it drops, it
/// reconnects with exponential backoff and jitter and resumes every list from the <c>seq</c> it stands at, observing
/// again what the server cannot continue. Thread-safe.
/// </summary>
public sealed partial class ReactiveClient(ReactiveClientOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan UnsubscribeTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = options.HttpClient ?? new HttpClient();
    private readonly bool _ownsHttp = options.HttpClient is null;
    private readonly JsonSerializerOptions _json = options.SerializerOptions ?? ServerMessage.Json;
    private readonly Lock _gate = new();

    /// <summary>By observer id.</summary>
    private readonly Dictionary<string, ObservedQuery> _queries = [];

    /// <summary>
    /// Messages for observers no query knows yet: they arrived before the answer of a GET that is still under way,
    /// and are handed to its query when it answers. Dropped when no GET is under way (they belong to a query left).
    /// </summary>
    private readonly Dictionary<string, List<ChangeMessage>> _unclaimed = [];
    private int _getsUnderWay;

    /// <summary>Frames from the socket, in order, across connections; one dispatcher applies them in batches.</summary>
    private readonly Channel<ServerMessage> _inbox = Channel.CreateUnbounded<ServerMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _disposed = new();
    private Task? _connecting;
    private Task? _dispatching;
    private ClientWebSocket? _socket;
    private Task? _reconnectHold;
    private Exception? _fatal;
    private int _disposing;

    public string SubscriberId { get; } = ValidSubscriberId(options.SubscriberId);

    public ConnectionState State { get; private set; } = ConnectionState.Connecting;

    /// <summary>Raised on a thread of the client's whenever <see cref="State"/> changes; keep handlers short.</summary>
    public event EventHandler<ConnectionState>? StateChanged;

    /// <summary>
    /// Observes <paramref name="path"/> (a list or detail GET of the API, such as <c>/api/tasks?boardId=1</c>): yields
    /// its items first, then the whole current list after each batch of changes applied; a detail GET yields a list of
    /// 0 or 1. A consumer slower than the changes skips intermediate lists, never the newest. Ending the enumeration
    /// (cancelling, or breaking out) unsubscribes.
    /// </summary>
    /// <exception cref="ReactiveApiException">The GET was refused (400 naming the parameter, 404 for a missing id, 401…).</exception>
    /// <exception cref="ReactiveConnectionException">The connection stopped for good (taken over by another connection).</exception>
    public async IAsyncEnumerable<IReadOnlyList<T>> ObserveAsync<T>(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposing) == 1, this);
        if (_fatal is { } fatal)
        {
            throw fatal;
        }

        Start();
        var sink = new SnapshotSink();
        var query = await SubscribeAsync(path, sink, cancellationToken);
        try
        {
            await foreach (var snapshot in sink.Reader.ReadAllAsync(cancellationToken))
            {
                // Converted here, by the consumer, and only for the snapshots it takes.
                yield return [.. snapshot.Select(item => item.Deserialize<T>(_json)!)];
            }
        }
        finally
        {
            await LeaveAsync(query, sink);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            return;
        }

        List<ObservedQuery> queries;
        lock (_gate)
        {
            queries = [.. _queries.Values];
            _queries.Clear();
        }

        // Unsubscribe rather than leave the subscriptions to the grace period: the server stops evaluating for us now.
        await Task.WhenAll(queries.Select(query => UnsubscribeAsync(query.Observer)));
        await _disposed.CancelAsync();
        if (_socket is { State: WebSocketState.Open } socket)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "disposed", timeout.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                socket.Abort();
            }
        }

        await IgnoreCancellation(_connecting);
        _inbox.Writer.TryComplete();
        await IgnoreCancellation(_dispatching);
        foreach (var sink in SinksOf(queries))
        {
            sink.Complete();
        }

        SetState(ConnectionState.Closed);
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        // _disposed stays undisposed: a GET still retrying reads its token, and it holds no unmanaged resource.
    }

    /// <summary>
    /// For tests: drops the connection without a close handshake, as a cut network does; the client reconnects and
    /// resumes, after <paramref name="reconnectAfter"/> completes when given (to stay away past the grace period, say).
    /// </summary>
    internal void AbortConnection(Task? reconnectAfter = null)
    {
        _reconnectHold = reconnectAfter;
        _socket?.Abort();
    }

    private void Start()
    {
        lock (_gate)
        {
            _dispatching ??= Task.Run(DispatchAsync);
            _connecting ??= Task.Run(ConnectAsync);
        }
    }

    private async Task<ObservedQuery> SubscribeAsync(string path, SnapshotSink sink, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _getsUnderWay++;
        }

        try
        {
            var answer = await GetObservedAsync(path, cancellationToken);
            lock (_gate)
            {
                if (!_queries.TryGetValue(answer.Observer, out var query))
                {
                    query = new ObservedQuery(answer.Observer, path);
                    _queries.Add(answer.Observer, query);
                    if (_unclaimed.Remove(answer.Observer, out var early))
                    {
                        foreach (var message in early)
                        {
                            query.List.Receive(message);
                        }
                    }
                }

                query.Sinks.Add(sink);
                if (query.List.Reset(answer.Items, answer.Seq))
                {
                    query.Publish();
                }
                else
                {
                    sink.Publish([.. query.List.Items]);
                }

                return query;
            }
        }
        finally
        {
            DoneWithGet();
        }
    }

    private void DoneWithGet()
    {
        lock (_gate)
        {
            if (--_getsUnderWay == 0)
            {
                _unclaimed.Clear();
                ReobserveStalled();
            }
        }
    }

    private async Task LeaveAsync(ObservedQuery query, SnapshotSink sink)
    {
        bool last;
        lock (_gate)
        {
            query.Sinks.Remove(sink);
            last = query.Sinks.Count == 0 && _queries.TryGetValue(query.Observer, out var current) && current == query;
            if (last)
            {
                _queries.Remove(query.Observer);
            }
        }

        if (!last || _disposed.IsCancellationRequested)
        {
            return;
        }

        await UnsubscribeAsync(query.Observer);
        lock (_gate)
        {
            // A GET of the same query may have answered before the unsubscribe reached the server, which then ended
            // that subscription too: observing again makes sure it exists.
            if (_queries.TryGetValue(query.Observer, out var again))
            {
                StartReobserve(again, discard: false);
            }
        }
    }

    /// <summary>The GET with <c>observe=</c>; a 503 (Redis away) is retried as its <c>Retry-After</c> asks.</summary>
    private async Task<ObserveAnswer> GetObservedAsync(string path, CancellationToken cancellationToken)
    {
        var uri = new Uri(options.ApiUrl, path + (path.Contains('?', StringComparison.Ordinal) ? '&' : '?') + "observe=" + SubscriberId);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            await AuthorizeAsync(request, cancellationToken);
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync<ObserveAnswer>(ServerMessage.Json, cancellationToken)
                    ?? throw new ReactiveApiException(response.StatusCode, null, path);
            }

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                throw await ReactiveApiException.FromResponseAsync(response, path, cancellationToken);
            }

            var delay = response.Headers.RetryAfter?.Delta ?? ReconnectDelay(attempt);
            await Task.Delay(delay, cancellationToken);
        }
    }

    private async Task UnsubscribeAsync(string observer)
    {
        try
        {
            using var timeout = new CancellationTokenSource(UnsubscribeTimeout);
            var uri = new Uri(options.ApiUrl, $"/api/queryobserver/unsubscribe?observer={observer}&subscriber={SubscriberId}");
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            await AuthorizeAsync(request, timeout.Token);
            using var response = await _http.SendAsync(request, timeout.Token);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            // Best effort: a subscription left behind ends with the grace period once the socket closes.
        }
    }

    private async ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.TokenProvider is { } provider && await provider(cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>Opens the WebSocket, keeps it open, and stops only when disposed or told to stop for good.</summary>
    private async Task ConnectAsync()
    {
        var cancellation = _disposed.Token;
        var failures = 0;
        var everConnected = false;
        while (!cancellation.IsCancellationRequested)
        {
            SetState(everConnected ? ConnectionState.Reconnecting : ConnectionState.Connecting);
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            // The server pings every 15 s; ours, with a timeout, notices a server that vanished without a FIN.
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(20);
            List<ObservedQuery> notResumed;
            Uri uri;
            string? token;
            try
            {
                token = options.TokenProvider is { } provider ? await provider(cancellation) : null;
                List<ObservedQuery> resumed;
                lock (_gate)
                {
                    var standing = _queries.Values.Where(query => query.List.HasSnapshot).ToList();
                    resumed = [.. standing.Take(WebSocketAddress.MaxResumed)];
                    notResumed = [.. standing.Skip(WebSocketAddress.MaxResumed)];
                    uri = WebSocketAddress.Build(options.ObserversUrl, SubscriberId, resumed.Select(query => (query.Observer, query.List.Seq!.Value)), token);
                }

                await socket.ConnectAsync(uri, cancellation);
            }
            catch (Exception) when (!cancellation.IsCancellationRequested)
            {
                // A 4xx other than 401 (a fresh token may fix that) stops for good; anything else (unreachable, a 503, a
                // token provider that failed) is retried.
                if (socket.HttpStatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError
                    and not HttpStatusCode.Unauthorized and not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests)
                {
                    Stop(new ReactiveConnectionException($"The observers refused the WebSocket of subscriber {SubscriberId}: {(int)socket.HttpStatusCode}."));
                    return;
                }

                await WaitToReconnectAsync(failures++, cancellation);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            failures = 0;
            everConnected = true;
            _socket = socket;
            SetState(ConnectionState.Live);
            lock (_gate)
            {
                // Past what a URL can list: observed again, as docs/protocol.md section 5 says.
                foreach (var query in notResumed)
                {
                    StartReobserve(query, discard: false);
                }
            }

            using (var connectionEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            {
                var renewing = RenewTokenAsync(socket, token, connectionEnded.Token);
                await ReceiveAsync(socket, cancellation);
                await connectionEnded.CancelAsync();
                await renewing;
            }

            _socket = null;
            if (socket.CloseStatus is { } status && (int)status is 4000 or 4003 or 1003 or 1009)
            {
                Stop(new ReactiveConnectionException(
                    (int)status == 4000
                        ? $"Another connection took subscriber {SubscriberId} over."
                        : $"The observers closed the WebSocket of subscriber {SubscriberId}: {(int)status} {socket.CloseStatusDescription}."));
                return;
            }

            if (socket.CloseStatus is { } expired && (int)expired == TokenExpiredCloseStatus && _reconnectHold is null)
            {
                // The token expired: nothing is wrong with the connection, so no backoff. The next attempt asks the
                // token provider for a fresh one and resumes where every list stood.
                failures = 0;
                continue;
            }

            if (_reconnectHold is { } hold)
            {
                _reconnectHold = null;
                SetState(ConnectionState.Reconnecting);
                await IgnoreCancellation(hold.WaitAsync(cancellation));
            }

            await WaitToReconnectAsync(failures++, cancellation);
        }
    }

    /// <summary>
    /// With <see cref="ReactiveClientOptions.RenewTokenBefore"/>: that long before the socket's token expires, sends the
    /// provider's next token on the open socket (<c>{"msg": "token", …}</c>), so the socket is not closed with 4001.
    /// Any failure just ends the renewal: the 4001 and the reconnect with a fresh token still follow.
    /// </summary>
    private async Task RenewTokenAsync(ClientWebSocket socket, string? token, CancellationToken connectionEnded)
    {
        if (options.RenewTokenBefore is not { } lead || options.TokenProvider is not { } provider)
        {
            return;
        }

        try
        {
            var expires = JwtExpiry.Of(token);
            while (expires is { } current)
            {
                var wait = current - lead - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, connectionEnded);
                }

                var fresh = await provider(connectionEnded);
                if (fresh is null || JwtExpiry.Of(fresh) is not { } next || next <= current)
                {
                    // Nothing fresher to send: the server's 4001 and the reconnect take over.
                    return;
                }

                var frame = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["msg"] = "token", ["token"] = fresh });
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, connectionEnded);
                expires = next;
            }
        }
        catch (Exception) when (connectionEnded.IsCancellationRequested || socket.State != WebSocketState.Open)
        {
            // The connection ended meanwhile.
        }
        catch (Exception)
        {
            // A provider or a send that failed: the socket is closed with 4001 at its token's expiry and reconnects.
        }
    }

    /// <summary>The observers close a socket with 4001 when its token expires (docs/protocol.md).</summary>
    private const int TokenExpiredCloseStatus = 4001;

    private async Task WaitToReconnectAsync(int attempt, CancellationToken cancellation)
    {
        if (!cancellation.IsCancellationRequested)
        {
            SetState(ConnectionState.Reconnecting);
            await IgnoreCancellation(Task.Delay(ReconnectDelay(attempt), cancellation));
        }
    }

    private TimeSpan ReconnectDelay(int attempt) =>
        Backoff.Delay(attempt, options.InitialReconnectDelay, options.MaxReconnectDelay, Random.Shared);

    /// <summary>Reads frames into the inbox until the connection ends, however it ends.</summary>
    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken cancellation)
    {
        var buffer = new byte[16 * 1024];
        var frame = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellation);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                    return;
                }

                frame.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text && ServerMessage.Parse(frame.WrittenSpan) is { } message)
                {
                    _inbox.Writer.TryWrite(message);
                }

                frame.ResetWrittenCount();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is gone; the caller reconnects unless disposed.
        }
    }

    /// <summary>
    /// Applies what the socket delivered in batches (whatever is there when it looks) and publishes one snapshot per
    /// list and batch, so that the messages of one evaluation, which arrive together, usually make one snapshot.
    /// </summary>
    private async Task DispatchAsync()
    {
        var reader = _inbox.Reader;
        while (await reader.WaitToReadAsync())
        {
            var resynced = false;
            lock (_gate)
            {
                var touched = new HashSet<ObservedQuery>();
                while (reader.TryRead(out var message))
                {
                    switch (message)
                    {
                        case ChangeMessage change when _queries.TryGetValue(change.Observer, out var query):
                            if (query.List.Receive(change))
                            {
                                touched.Add(query);
                                resynced |= change.Resync;
                            }

                            break;
                        case ChangeMessage change when _getsUnderWay > 0:
                            (_unclaimed.TryGetValue(change.Observer, out var early) ? early : _unclaimed[change.Observer] = []).Add(change);
                            break;
                        case ExpiredMessage expired when _queries.TryGetValue(expired.Observer, out var query):
                            touched.Remove(query);
                            StartReobserve(query, discard: true);
                            break;
                    }
                }

                foreach (var query in touched)
                {
                    query.Publish();
                }

                ReobserveStalled();
            }

            if (resynced)
            {
                SetResynced();
            }
        }
    }

    /// <summary>A gap in seq that no GET under way can fill: only a fresh GET can.</summary>
    private void ReobserveStalled()
    {
        if (_getsUnderWay > 0)
        {
            return;
        }

        foreach (var query in _queries.Values.Where(query => query.List.IsStalled))
        {
            StartReobserve(query, discard: false);
        }
    }

    /// <summary>Observes a query again (called under the lock); <paramref name="discard"/> when the server said it expired.</summary>
    private void StartReobserve(ObservedQuery query, bool discard)
    {
        if (discard)
        {
            query.List.Discard();
        }

        if (query.Reobserving || _disposed.IsCancellationRequested)
        {
            return;
        }

        query.Reobserving = true;
        _getsUnderWay++;
        _ = Task.Run(() => ReobserveAsync(query));
    }

    private async Task ReobserveAsync(ObservedQuery query)
    {
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var answer = await GetObservedAsync(query.Path, _disposed.Token);
                    bool left;
                    lock (_gate)
                    {
                        query.Reobserving = false;
                        left = !_queries.TryGetValue(query.Observer, out var current) || current != query;
                        if (!left && query.List.Reset(answer.Items, answer.Seq))
                        {
                            query.Publish();
                        }
                    }

                    if (left)
                    {
                        // Every enumeration ended while the GET was under way: it subscribed again for nothing.
                        await UnsubscribeAsync(query.Observer);
                    }
                    else
                    {
                        SetResynced();
                    }

                    return;
                }
                catch (ReactiveApiException exception) when ((int)exception.StatusCode < 500)
                {
                    // The query no longer answers (its item was deleted, the token was revoked): nothing to continue.
                    lock (_gate)
                    {
                        query.Reobserving = false;
                        _queries.Remove(query.Observer);
                        foreach (var sink in query.Sinks)
                        {
                            sink.Complete(exception);
                        }
                    }

                    return;
                }
                catch (Exception exception) when (exception is HttpRequestException or ReactiveApiException or JsonException
                    || exception is OperationCanceledException && !_disposed.IsCancellationRequested)
                {
                    await IgnoreCancellation(Task.Delay(ReconnectDelay(attempt), _disposed.Token));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        finally
        {
            lock (_gate)
            {
                query.Reobserving = false;
            }

            DoneWithGet();
        }
    }

    /// <summary>Ends every enumeration with <paramref name="error"/>: reconnecting would not help.</summary>
    private void Stop(Exception error)
    {
        List<ObservedQuery> queries;
        lock (_gate)
        {
            _fatal = error;
            queries = [.. _queries.Values];
            _queries.Clear();
        }

        foreach (var sink in SinksOf(queries))
        {
            sink.Complete(error);
        }

        SetState(ConnectionState.Closed);
    }

    /// <summary>
    /// The queries' sinks, copied under the lock: completing a sink ends its enumeration, whose cleanup removes the sink
    /// from its query's list, possibly while this copy is still being walked.
    /// </summary>
    private List<SnapshotSink> SinksOf(IEnumerable<ObservedQuery> queries)
    {
        lock (_gate)
        {
            return [.. queries.SelectMany(query => query.Sinks)];
        }
    }

    private void SetResynced()
    {
        // Only over a live connection: a GET that answers while the socket is down does not make it live.
        if (State is ConnectionState.Live or ConnectionState.Resynced)
        {
            SetState(ConnectionState.Resynced);
        }
    }

    private void SetState(ConnectionState state)
    {
        lock (_gate)
        {
            if (State == state || State == ConnectionState.Closed)
            {
                return;
            }

            State = state;
        }

        try
        {
            StateChanged?.Invoke(this, state);
        }
        catch (Exception)
        {
            // A failing handler must not stop the reconnect loop it was called from; it is the handler's to report.
        }
    }

    private static async Task IgnoreCancellation(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string ValidSubscriberId(string? id)
    {
        if (id is null)
        {
            return "c" + Guid.NewGuid().ToString("N");
        }

        return SubscriberIdPattern().IsMatch(id)
            ? id
            : throw new ArgumentException("A subscriber id is 1 to 64 characters of [A-Za-z0-9_-].", nameof(options));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\z")]
    private static partial Regex SubscriberIdPattern();
}
