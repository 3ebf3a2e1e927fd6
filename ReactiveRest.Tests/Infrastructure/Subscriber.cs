using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Aspire.Hosting.Testing;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// A protocol client as a test sees it: one WebSocket to the observers, every frame it receives kept in order, and
/// the client-side reconstruction of each observed query that existing django-rest-framework-reactive clients do. On
/// top, it checks what a resuming client relies on: per observer, each message's seq follows the previous one (a
/// resync run's messages carry -1 until its last), so a duplicate or a gap fails the test at once.
/// </summary>
public sealed class Subscriber : IAsyncDisposable
{
    private Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly Dictionary<string, List<JsonElement>> _views = [];
    private readonly Dictionary<string, long> _seqs = [];
    private readonly Dictionary<string, string> _expired = [];
    private readonly List<JsonElement> _unapplied = [];
    private readonly List<string> _violations = [];
    private ClientWebSocket _socket = new();
    private Task? _receiving;
    private TaskCompletionSource _reading = NewReadingGate(open: true);
    private int? _receiveBufferBytes;
    private string? _token;
    private bool _abortedHere;

    private Subscriber(string id, string user)
    {
        Id = id;
        User = user;
    }

    public string Id { get; }

    /// <summary>Who the subscriber runs as: its WebSocket's token, and the API client's its GETs must use.</summary>
    public string User { get; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>
    /// Why the connection ended without a close handshake this client did not ask for (a reset, an abort by the
    /// server); null while it is open, closed by a close frame, or dropped by <see cref="AbortAsync"/>.
    /// </summary>
    public Exception? Aborted { get; private set; }

    /// <summary>Fails unless the socket is still open: neither closed (with any code) nor aborted by the server.</summary>
    public void AssertConnected()
    {
        Assert.True(
            _socket.State == WebSocketState.Open && Aborted is null,
            $"The WebSocket of subscriber {Id} is no longer connected: state {_socket.State}, close {(int?)CloseStatus} {_socket.CloseStatusDescription}, abort: {Aborted?.Message ?? "none"}.");
    }

    /// <summary>The observers replica that serves the current connection (its id, which holds its process id).</summary>
    public string? Replica { get; private set; }

    /// <param name="receiveBufferBytes">A small TCP receive buffer, so that a paused reader soon stops the server's sends.</param>
    /// <param name="user">Who it runs as; by default the current test's own user (<see cref="TestUsers.Current"/>).</param>
    /// <param name="token">The token its connections carry; by default the user's long-lived one (<see cref="TestUsers.TokenFor"/>).</param>
    public static async Task<Subscriber> ConnectAsync(ReactiveRestStack app, string? id = null, int? receiveBufferBytes = null, string? user = null, string? token = null)
    {
        var subscriber = new Subscriber(id ?? "s" + Guid.NewGuid().ToString("N")[..16], user ?? TestUsers.Current) { _receiveBufferBytes = receiveBufferBytes, _token = token };
        await subscriber.OpenAsync(app);
        return subscriber;
    }

    /// <summary>Stops reading the socket, as a slow client does: the server's sends back up.</summary>
    public void PauseReading() => _reading = NewReadingGate(open: false);

    public void ResumeReading() => _reading.TrySetResult();

    private static TaskCompletionSource NewReadingGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }

        return gate;
    }

    /// <summary>A WebSocket URL of the observers with the current test's own user's token.</summary>
    public static Uri WebSocketUri(ReactiveRestStack app, string path) => WebSocketUri(app, path, TestUsers.Current);

    /// <param name="user">Whose token the URL carries (<c>access_token</c>); null for none.</param>
    public static Uri WebSocketUri(ReactiveRestStack app, string path, string? user) => WebSocketUri(app, path, user, token: null);

    /// <param name="token">The token the URL carries instead of <paramref name="user"/>'s long-lived one.</param>
    private static Uri WebSocketUri(ReactiveRestStack app, string path, string? user, string? token)
    {
        var endpoint = app.App.GetEndpoint("observers", "http");
        var question = path.IndexOf('?', StringComparison.Ordinal);
        var query = question < 0 ? "" : path[(question + 1)..];
        if (user is not null)
        {
            query = (query.Length > 0 ? query + "&" : "") + "access_token=" + (token ?? TestUsers.TokenFor(user));
        }

        return new UriBuilder(endpoint)
        {
            Scheme = "ws",
            Path = question < 0 ? path : path[..question],
            Query = query,
        }.Uri;
    }

    /// <summary>A subscriber of any WebSocket server: for checks of this client itself.</summary>
    internal static async Task<Subscriber> ConnectAsync(Uri uri)
    {
        var subscriber = new Subscriber("s" + Guid.NewGuid().ToString("N")[..16], TestUsers.Current);
        await subscriber._socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
        subscriber._receiving = subscriber.ReceiveAsync(subscriber._socket);
        return subscriber;
    }

    /// <param name="resume">Tell the server, per observer, the seq of the last message applied.</param>
    public async Task OpenAsync(ReactiveRestStack app, bool resume = false)
    {
        if (_receiving is not null)
        {
            // A new connection: frames of the old one were all recorded for the views already.
            await _receiving;
            _socket.Dispose();
            _socket = new ClientWebSocket();
            _frames = Channel.CreateUnbounded<JsonElement>();
            Aborted = null;
            _abortedHere = false;
        }

        var path = $"/ws/{Id}";
        if (resume)
        {
            lock (_views)
            {
                ApplyPending();
                var positions = _views.Keys.Where(observer => _seqs.ContainsKey(observer)).Select(observer => $"{observer}:{_seqs[observer]}");
                path += "?resume=" + string.Join(',', positions);
            }
        }

        _socket.Options.CollectHttpResponseDetails = true;
        if (_receiveBufferBytes is { } bytes)
        {
            using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    // Set before connecting, so the TCP window is small from the start.
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = bytes };
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            });
            await _socket.ConnectAsync(WebSocketUri(app, path, User, _token), invoker, TestContext.Current.CancellationToken);
        }
        else
        {
            await _socket.ConnectAsync(WebSocketUri(app, path, User, _token), TestContext.Current.CancellationToken);
        }

        Replica = _socket.HttpResponseHeaders?.TryGetValue("X-ReactiveRest-Replica", out var replica) == true ? replica.FirstOrDefault() : null;
        _receiving = ReceiveAsync(_socket);
    }

    /// <summary>GET with observe=this subscriber: the observer id and the items, which become this subscriber's view.</summary>
    /// <param name="whileUnavailable">
    /// After a fault: how long to keep retrying a 503 (as a client honouring Retry-After does) while the services
    /// reconnect. Elsewhere a 503 fails the test at once.
    /// </param>
    public async Task<string> ObserveAsync(HttpClient api, string url, TimeSpan? whileUnavailable = null)
    {
        lock (_views)
        {
            // What arrived before this GET was sent belongs to earlier subscriptions (an expired one, say).
            ApplyPending();
        }

        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var retryUntil = DateTime.UtcNow + (whileUnavailable ?? TimeSpan.Zero);
        var response = await api.GetAsync($"{url}{separator}observe={Id}", TestContext.Current.CancellationToken);
        while (response.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < retryUntil)
        {
            response.Dispose();
            await Task.Delay(200, TestContext.Current.CancellationToken);
            response = await api.GetAsync($"{url}{separator}observe={Id}", TestContext.Current.CancellationToken);
        }

        using var answered = response;
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode} {body}");
        var observer = body.GetProperty("observer").GetString()!;
        lock (_views)
        {
            _views[observer] = [.. body.GetProperty("items").EnumerateArray()];
            _seqs[observer] = body.GetProperty("seq").GetInt64();
            _expired.Remove(observer);
        }

        return observer;
    }

    /// <summary>The next frame, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _frames.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Subscriber {Id} received no frame in time.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The WebSocket of subscriber {Id} closed ({CloseStatus}{(Aborted is null ? "" : "; aborted: " + Aborted.Message)}).");
        }
    }

    /// <summary>Frames until one satisfies <paramref name="stop"/> (included), or a failure after <paramref name="timeout"/>.</summary>
    public async Task<List<JsonElement>> NextUntilAsync(Func<JsonElement, bool> stop, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        var frames = new List<JsonElement>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var frame = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            frames.Add(frame);
            if (stop(frame))
            {
                return frames;
            }
        }
    }

    /// <summary>Frames that arrive within <paramref name="window"/>.</summary>
    public async Task<List<JsonElement>> DrainAsync(TimeSpan window)
    {
        var frames = new List<JsonElement>();
        using var cancellation = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                frames.Add(await _frames.Reader.ReadAsync(cancellation.Token));
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            return frames;
        }
    }

    /// <summary>The frames received and not read yet, without waiting for more.</summary>
    public List<JsonElement> Received()
    {
        var frames = new List<JsonElement>();
        while (_frames.Reader.TryRead(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>
    /// Proves that nothing arrived before a sentinel: <paramref name="writeSentinel"/> makes a write this subscriber
    /// must receive; every frame before it fails the test, and so does its absence after <paramref name="timeout"/>.
    /// </summary>
    public async Task AssertNothingBeforeAsync(Func<Task<JsonElement>> writeSentinel, TimeSpan? timeout = null)
    {
        var sentinel = await writeSentinel();
        var frames = await NextUntilAsync(frame => frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("item", out var item)
            && item.GetRawText() == sentinel.GetRawText(), timeout);
        Assert.True(frames.Count == 1, $"Subscriber {Id} received {frames.Count - 1} frame(s) before the sentinel: {string.Join(", ", frames.SkipLast(1).Select(frame => frame.GetRawText()))}");
    }

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SendBinaryAsync(byte[] data) =>
        _socket.SendAsync(data, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);

    /// <summary>This subscriber's current reconstruction of an observed query, with every message received so far applied.</summary>
    public List<JsonElement> View(string observer)
    {
        lock (_views)
        {
            ApplyPending();
            Assert.True(_violations.Count == 0, string.Join("\n", _violations));
            Assert.False(_expired.TryGetValue(observer, out var reason), $"Observer {observer} of {Id} expired: {reason}");
            return [.. _views[observer]];
        }
    }

    /// <summary>The seq of the last message applied for an observer (the GET's seq before any).</summary>
    public long Seq(string observer)
    {
        lock (_views)
        {
            ApplyPending();
            return _seqs[observer];
        }
    }

    /// <summary>Messages received inside resync runs (seq -1): proof that a backlog was collapsed.</summary>
    public int ResyncMessages { get; private set; }

    /// <summary>Whether the server said the observer must be observed again.</summary>
    public bool IsExpired(string observer)
    {
        lock (_views)
        {
            ApplyPending();
            return _expired.ContainsKey(observer);
        }
    }

    /// <summary>Uses <paramref name="token"/> for the connections opened from now on.</summary>
    public void UseToken(string token) => _token = token;

    /// <summary>Waits until the server ended the connection; its close code (null when it was dropped without one).</summary>
    public async Task<WebSocketCloseStatus?> WaitClosedAsync(TimeSpan timeout)
    {
        try
        {
            await (_receiving ?? Task.CompletedTask).WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The WebSocket of subscriber {Id} was still open after {timeout.TotalSeconds} s.");
        }

        return CloseStatus;
    }

    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }

        if (_receiving is not null)
        {
            await _receiving;
        }
    }

    /// <summary>Drops the connection without a close handshake, as a crashed client or a cut network does.</summary>
    public async Task AbortAsync()
    {
        _abortedHere = true;
        _socket.Abort();
        if (_receiving is not null)
        {
            await _receiving;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }

    private async Task ReceiveAsync(ClientWebSocket socket)
    {
        var frames = _frames;
        var buffer = new byte[1 << 20];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    await _reading.Task;
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Complete the close handshake at once, as browsers do.
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    break;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, length);
                var frame = text.StartsWith('{')
                    ? JsonDocument.Parse(text).RootElement.Clone()
                    : JsonSerializer.SerializeToElement(text);
                lock (_views)
                {
                    _unapplied.Add(frame);
                }

                await frames.Writer.WriteAsync(frame);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // Kept, so that a test asserting the socket is still connected sees a server's abort.
            if (!_abortedHere)
            {
                Aborted = exception;
            }
        }
        finally
        {
            frames.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Applies messages as existing clients do: removed deletes by key; added inserts at order; changed moves the
    /// item to order (in place when already there) and is ignored for an unknown key. Messages for an observer whose
    /// GET has not answered yet wait for it.
    /// </summary>
    private void ApplyPending()
    {
        var waiting = new List<JsonElement>();
        foreach (var message in _unapplied)
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("observer", out var observerProperty))
            {
                continue;
            }

            var observer = observerProperty.GetString()!;
            var kind = message.GetProperty("msg").GetString();
            if (kind == "expired")
            {
                _expired[observer] = message.GetProperty("reason").GetString()!;
                _views.Remove(observer);
                _seqs.Remove(observer);
                continue;
            }

            if (!_views.TryGetValue(observer, out var view))
            {
                if (!_expired.ContainsKey(observer))
                {
                    waiting.Add(message);
                }

                continue;
            }

            CheckSeq(observer, message.GetProperty("seq").GetInt64(), message.TryGetProperty("resync", out var resync) && resync.GetBoolean());
            var key = message.GetProperty("item").GetProperty("id").GetInt32();
            var order = message.GetProperty("order").GetInt32();
            var index = view.FindIndex(item => item.GetProperty("id").GetInt32() == key);
            switch (kind)
            {
                case "removed" when index < 0:
                    _violations.Add($"{observer}: removed for unknown key {key}");
                    break;
                case "removed":
                    view.RemoveAt(index);
                    break;
                case "added" when index >= 0:
                    _violations.Add($"{observer}: added for present key {key}");
                    break;
                case "added":
                    view.Insert(order, message.GetProperty("item"));
                    break;
                case "changed" when index >= 0:
                    view.RemoveAt(index);
                    view.Insert(order, message.GetProperty("item"));
                    break;
            }
        }

        _unapplied.Clear();
        _unapplied.AddRange(waiting);
    }

    /// <summary>Consecutive, except a resync run, whose last message jumps to the position it brings the list to.</summary>
    private void CheckSeq(string observer, long seq, bool resync)
    {
        if (resync)
        {
            ResyncMessages++;
        }

        var last = _seqs[observer];
        var follows = resync ? seq == -1 || seq > last : last != -1 && seq == last + 1;
        if (!follows)
        {
            _violations.Add($"{observer}: seq {seq} after {last}");
        }

        _seqs[observer] = seq;
    }
}
