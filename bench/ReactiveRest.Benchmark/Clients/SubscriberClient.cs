using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// One real WebSocket client of the observers, kept small (one receive loop, a 1 KiB buffer that grows only for a
/// larger frame). It does not parse JSON: it finds the title in each frame, and so the write the frame carries, and
/// stamps the first arrival of each write with <see cref="Stopwatch.GetTimestamp"/>. It also checks that each message's
/// seq follows the previous one (when it observes one query), and counts duplicates and <c>expired</c> messages.
/// </summary>
internal sealed class SubscriberClient
{
    private static readonly byte[] TitleMarker = "\"title\":\""u8.ToArray();
    private static readonly byte[] SeqMarker = "\"seq\":"u8.ToArray();
    private static readonly byte[] ExpiredMarker = "\"msg\":\"expired\""u8.ToArray();
    private static readonly byte[] WarmSuffix = "warm"u8.ToArray();

    private readonly ClientWebSocket _socket = new();
    private readonly FrameExpectations _expectations;
    private Task _receiving = Task.CompletedTask;
    private long _lastSeq = long.MinValue;

    public SubscriberClient(string id, int group, FrameExpectations expectations)
    {
        Id = id;
        Group = group;
        _expectations = expectations;
        Arrivals = new long[expectations.Writes];
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public string Id { get; }

    /// <summary>The board this subscriber observes (its index in the case).</summary>
    public int Group { get; }

    public List<string> Observers { get; } = [];

    /// <summary>Per write index, when its frame first arrived (0: not yet).</summary>
    public long[] Arrivals { get; }

    public long WarmArrival { get; private set; }

    public int Frames { get; private set; }

    public int Duplicates { get; private set; }

    public int Expired { get; private set; }

    public int SeqAnomalies { get; private set; }

    public string? FirstSeqAnomaly { get; private set; }

    public string? ClosedBecause { get; private set; }

    public async Task ConnectAsync(Uri observers, string token, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(observers) { Scheme = "ws", Path = $"/ws/{Id}", Query = $"access_token={token}" }.Uri;
        await _socket.ConnectAsync(uri, cancellationToken);
        _receiving = ReceiveAsync();
    }

    /// <summary>Records what the observe GET answered: its seq is where this subscriber's messages continue.</summary>
    public void Observed(string observer, long seq)
    {
        lock (Observers)
        {
            Observers.Add(observer);
            _lastSeq = Observers.Count == 1 ? seq : long.MaxValue;
        }
    }

    public async Task CloseAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            _socket.Abort();
        }

        await _receiving;
        _socket.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1024];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClosedBecause = $"{(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    return;
                }

                length += result.Count;
                if (!result.EndOfMessage)
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    continue;
                }

                OnFrame(buffer.AsSpan(0, length), Stopwatch.GetTimestamp());
                length = 0;
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            ClosedBecause ??= exception.GetType().Name + ": " + exception.Message;
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame, long now)
    {
        Frames++;
        if (frame.IndexOf(ExpiredMarker) >= 0)
        {
            Expired++;
            return;
        }

        CheckSeq(frame);
        var at = frame.IndexOf(TitleMarker);
        if (at < 0)
        {
            return;
        }

        var title = frame[(at + TitleMarker.Length)..];
        if (!title.StartsWith(_expectations.PrefixUtf8))
        {
            return;
        }

        var rest = title[_expectations.PrefixUtf8.Length..];
        if (rest.StartsWith(WarmSuffix))
        {
            if (WarmArrival == 0)
            {
                WarmArrival = now;
                _expectations.CountWarm();
            }

            return;
        }

        if (!Utf8Parser.TryParse(rest, out int write, out _) || write < 0 || write >= Arrivals.Length)
        {
            return;
        }

        if (Arrivals[write] != 0)
        {
            Duplicates++;
            return;
        }

        Arrivals[write] = now;
        if (_expectations.Expects(Group, write))
        {
            _expectations.CountMatch();
        }
    }

    private void CheckSeq(ReadOnlySpan<byte> frame)
    {
        var at = frame.LastIndexOf(SeqMarker);
        if (at < 0 || !Utf8Parser.TryParse(frame[(at + SeqMarker.Length)..], out long seq, out _))
        {
            return;
        }

        lock (Observers)
        {
            if (_lastSeq == long.MaxValue || seq == -1)
            {
                // Several observers share the socket (not checked), or a resync run, whose last message carries the seq.
                return;
            }

            if (_lastSeq != long.MinValue && seq != _lastSeq + 1)
            {
                SeqAnomalies++;
                FirstSeqAnomaly ??= $"seq {seq} after {_lastSeq}";
            }

            _lastSeq = seq;
        }
    }
}
