using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// One WebSocket of the noisy neighbour: it reads and drops whatever comes (its observers' frames, the replies to its
/// heartbeats) and sends <c>--heartbeat--</c> at a fixed interval, as fast as the rules let a client that reads its
/// replies. When the server closes it (1008 when 64 replies wait unread), it counts why and connects again with the same
/// subscriber id, as a real client would, so its subscriptions survive within their grace period.
/// </summary>
internal sealed class NoisyClient(string id, Uri observers, string token, TimeSpan heartbeatInterval)
{
    private static readonly ReadOnlyMemory<byte> Heartbeat = Encoding.UTF8.GetBytes("--heartbeat--");
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, int> _closes = new(StringComparer.Ordinal);
    private ClientWebSocket? _socket;
    private long _framesReceived;
    private long _heartbeatsSent;
    private int _reconnects;
    private int _refusedReconnects;

    public string Id { get; } = id;

    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    public int Reconnects => _reconnects;

    /// <summary>Reconnections the server refused (429: the sockets quota still counts the closed one, say).</summary>
    public int RefusedReconnects => _refusedReconnects;

    /// <summary>Server closes by status (<c>1008</c>, <c>1011</c>...), and <c>aborted</c> for a connection that broke without one.</summary>
    public IReadOnlyDictionary<string, int> Closes
    {
        get
        {
            lock (_closes)
            {
                return new Dictionary<string, int>(_closes, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Opens the WebSocket; a refusal before the upgrade is returned as its HTTP status (429 at the sockets quota).</summary>
    public async Task<HttpStatusCode?> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new UriBuilder(observers) { Scheme = "ws", Path = $"/ws/{Id}", Query = $"access_token={token}" }.Uri, cancellationToken);
        }
        catch (WebSocketException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return status == 0 ? HttpStatusCode.ServiceUnavailable : status;
        }

        _socket = socket;
        return null;
    }

    /// <summary>Reads, heartbeats and reconnects until <paramref name="stop"/>; then closes the socket.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (_socket is { } socket)
            {
                using var broken = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var reading = ReadAsync(socket, broken);
                await SendAsync(socket, broken.Token);
                if (stop.IsCancellationRequested)
                {
                    // The read waits for the server; closing (and aborting) the socket ends it.
                    await CloseAsync(socket);
                    await reading;
                    return;
                }

                await reading;
                socket.Dispose();
                _socket = null;
            }

            try
            {
                await Task.Delay(ReconnectDelay, stop);
                Interlocked.Increment(ref _reconnects);
                if (await ConnectAsync(stop) is not null)
                {
                    Interlocked.Increment(ref _refusedReconnects);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(heartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Heartbeat, WebSocketMessageType.Text, true, cancellationToken);
                Interlocked.Increment(ref _heartbeatsSent);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The reading side records why the socket ended.
        }
    }

    /// <summary>Drops every message; when the socket ends, records why and stops the sending.</summary>
    private async Task ReadAsync(ClientWebSocket socket, CancellationTokenSource broken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Count(((int?)socket.CloseStatus)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "close without status");
                    break;
                }

                if (result.EndOfMessage)
                {
                    Interlocked.Increment(ref _framesReceived);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (socket.State != WebSocketState.Aborted || !broken.IsCancellationRequested)
            {
                Count("aborted");
            }
        }

        await broken.CancelAsync();
    }

    private void Count(string reason)
    {
        lock (_closes)
        {
            _closes[reason] = _closes.GetValueOrDefault(reason) + 1;
        }
    }

    private static async Task CloseAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }

        socket.Abort();
        socket.Dispose();
    }
}
