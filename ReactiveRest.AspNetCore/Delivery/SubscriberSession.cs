using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// One subscriber's WebSocket. It holds no copy of any message: its cursors point into the observers' shared feeds, and
/// a pump, started only when there is something to send (no task or timer per idle socket), hands the frames to the
/// socket in order. Replies to the client's own frames (the heartbeat) go out at once, ahead of queued messages.
/// </summary>
internal sealed class SubscriberSession(
    string subscriberId, WebSocket socket, ReactiveOptions options, Action<SubscriberSession, Exception> onSendFailure, ReactiveMetrics? metrics = null)
{
    /// <summary>Close code when another connection took this subscriber over.</summary>
    public const WebSocketCloseStatus Superseded = (WebSocketCloseStatus)4000;

    /// <summary>Close code when the connection's token expired: the client reconnects (and resumes) with a fresh one.</summary>
    public const WebSocketCloseStatus TokenExpired = (WebSocketCloseStatus)4001;

    /// <summary>Close code when the client sent a token of another user on the open socket.</summary>
    public const WebSocketCloseStatus TokenOfAnotherUser = (WebSocketCloseStatus)4003;

    /// <summary>The user the connection authenticated as, who owns the subscriber id.</summary>
    public string User { get; init; } = "";

    /// <summary>Validates a token sent on the open socket; null where none is accepted (every token frame is refused).</summary>
    public Func<string, CancellationToken, Task<Engine.Security.TokenCheck>>? ValidateToken { get; init; }

    /// <summary>When the connection's token expires (Unix ms), or 0 for never; a token frame moves it on.</summary>
    private long _tokenExpiresMs;

    /// <summary>When the connection's token expires: the sweep closes it with <see cref="TokenExpired"/> then.</summary>
    public DateTimeOffset? TokenExpires
    {
        get => Volatile.Read(ref _tokenExpiresMs) is var ms and not 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        init => _tokenExpiresMs = value?.ToUnixTimeMilliseconds() ?? 0;
    }

    /// <summary>
    /// Called periodically (no timer per socket): a connection whose token expired is closed with
    /// <see cref="TokenExpired"/>, once; its subscriptions enter the grace period until the client is back.
    /// </summary>
    public void CloseIfTokenExpired(DateTimeOffset now)
    {
        var expires = Volatile.Read(ref _tokenExpiresMs);
        if (expires != 0 && now.ToUnixTimeMilliseconds() >= expires && Interlocked.CompareExchange(ref _tokenExpiresMs, 0, expires) == expires)
        {
            RequestClose(TokenExpired, "The token expired; reconnect with a fresh one.");
        }
    }

    private const int BatchSize = 256;
    private const int SmallReceiveBuffer = 32;

    /// <summary>
    /// Replies to the client's frames that may wait to be sent. A burst past it is not read further until they are
    /// taken; if they are not taken within <see cref="RepliesTakenWithin"/> (the client does not read), the connection
    /// is closed with 1008.
    /// </summary>
    internal const int MaxPendingReplies = 64;

    internal static readonly TimeSpan RepliesTakenWithin = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);
    private readonly object _queues = new();
    private Queue<string>? _replies;
    private SemaphoreSlim? _repliesTaken;
    private Queue<Cursor>? _dirty;
    private readonly CancellationTokenSource _ended = new();
    private readonly TaskCompletionSource _closeSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (WebSocketCloseStatus Status, string Description)? _closeRequest;
    private int _pumping;

    public string SubscriberId { get; } = subscriberId;

    public string ConnectionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>What a subscription delivered by this connection records in Redis while it is live.</summary>
    public string LiveMarker => "live:" + ConnectionId;

    /// <summary>Cancelled when the socket is done, whatever the reason.</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Completes once a requested close frame was sent (or could not be): no message follows it.</summary>
    public Task CloseSent => _closeSent.Task;

    /// <summary>Completes once the hub recorded where the session's subscriptions stood and let the subscriber go.</summary>
    public Task Finished => _finished.Task;

    public void MarkFinished() => _finished.TrySetResult();

    /// <summary>
    /// Held while a subscription is attached to this session or while the session's end records its positions, so that
    /// a subscription is never attached (marked live in Redis) after its session recorded where everything stood.
    /// </summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Set, under <see cref="Gate"/>, once the end of the session started: nothing is attached any more.</summary>
    public bool Ending { get; set; }

    public Cursor? CursorFor(string observerId)
    {
        lock (_cursors)
        {
            return _cursors.GetValueOrDefault(observerId);
        }
    }

    /// <summary>Adds a cursor; returns the one it replaces, if any (a subscriber that observed the same query again).</summary>
    public Cursor? SetCursor(Cursor cursor)
    {
        lock (_cursors)
        {
            _cursors.Remove(cursor.ObserverId, out var replaced);
            _cursors[cursor.ObserverId] = cursor;
            return replaced;
        }
    }

    public Cursor? RemoveCursor(string observerId)
    {
        lock (_cursors)
        {
            return _cursors.Remove(observerId, out var removed) ? removed : null;
        }
    }

    public IReadOnlyList<Cursor> Cursors()
    {
        lock (_cursors)
        {
            return [.. _cursors.Values];
        }
    }

    public void Reply(string text)
    {
        lock (_queues)
        {
            // Created on first use: most sockets never need a reply, and idle ones must stay small.
            (_replies ??= new Queue<string>(2)).Enqueue(text);
        }

        Signal();
    }

    /// <summary>The cursor's feed has frames for it.</summary>
    public void MarkDirty(Cursor cursor)
    {
        if (MarkDirtyQuietly(cursor))
        {
            Signal();
        }
    }

    /// <summary>Closes with a code once what is queued ahead is sent; aborts if the client does not complete the close.</summary>
    public void RequestClose(WebSocketCloseStatus status, string description)
    {
        _closeRequest ??= (status, description);
        Signal();
    }

    /// <summary>
    /// Starts the pump on the thread pool (measured: better than running it inline on the fan-out thread, whose one
    /// loop then serializes ten thousand sends while the other core idles).
    /// </summary>
    private void Signal()
    {
        if (Interlocked.CompareExchange(ref _pumping, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static session => _ = session.PumpAsync(), this, preferLocal: false);
        }
    }

    private async Task PumpAsync()
    {
        var batch = new List<Outgoing>();
        try
        {
            while (!_ended.IsCancellationRequested)
            {
                if (_closeRequest is { } close)
                {
                    await CloseOutputAsync(close.Status, close.Description);
                    return;
                }

                batch.Clear();
                foreach (var reply in TakeReplies())
                {
                    batch.Add(new Outgoing(Encoding.UTF8.GetBytes(reply), null, 0, 0, null));
                }

                foreach (var cursor in TakeDirty())
                {
                    Volatile.Write(ref cursor.Dirty, 0);
                    if (cursor.Feed.Take(cursor, Math.Max(1, BatchSize - batch.Count), batch))
                    {
                        MarkDirtyQuietly(cursor);
                    }
                }

                if (batch.Count == 0)
                {
                    Volatile.Write(ref _pumping, 0);
                    if ((!HasQueued() && _closeRequest is null) || Interlocked.CompareExchange(ref _pumping, 1, 0) != 0)
                    {
                        return;
                    }

                    continue;
                }

                await SendAsync(batch);
            }
        }
        catch (Exception exception)
        {
            // The client stopped reading (send timeout) or went away: end the session; it resumes on a new connection.
            onSendFailure(this, exception);
            socket.Abort();
        }
    }

    /// <returns>True when the cursor was not waiting already.</returns>
    private bool MarkDirtyQuietly(Cursor cursor)
    {
        if (Interlocked.Exchange(ref cursor.Dirty, 1) != 0)
        {
            return false;
        }

        lock (_queues)
        {
            (_dirty ??= new Queue<Cursor>(1)).Enqueue(cursor);
        }

        return true;
    }

    private string[] TakeReplies()
    {
        lock (_queues)
        {
            if (_replies is not { Count: > 0 })
            {
                return [];
            }

            var replies = _replies.ToArray();
            _replies.Clear();
            if (_repliesTaken is { CurrentCount: 0 } taken)
            {
                taken.Release();
            }

            return replies;
        }
    }

    private Cursor[] TakeDirty()
    {
        lock (_queues)
        {
            if (_dirty is not { Count: > 0 })
            {
                return [];
            }

            var dirty = _dirty.ToArray();
            _dirty.Clear();
            return dirty;
        }
    }

    private bool HasQueued()
    {
        lock (_queues)
        {
            return _replies is { Count: > 0 } || _dirty is { Count: > 0 };
        }
    }

    /// <summary>When the send in progress started (Stopwatch ticks), or 0: checked by <see cref="AbortIfStuck"/>.</summary>
    private long _sendingSince;

    /// <summary>
    /// Called periodically: a client that has not taken a frame for <see cref="ReactiveOptions.SendTimeout"/> stopped
    /// reading; its connection is dropped and it resumes on a new one. (A timer per send would cost more than the send.)
    /// </summary>
    public void AbortIfStuck(long now)
    {
        var since = Volatile.Read(ref _sendingSince);
        if (since != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(since, now) > options.SendTimeout)
        {
            socket.Abort();
        }
    }

    private async Task SendAsync(List<Outgoing> batch)
    {
        var messages = 0;
        // The batch's latency is its oldest change's: one histogram value per batch, not one per frame.
        var earliestCapture = 0L;
        Activity? push = null;
        try
        {
            foreach (var frame in batch)
            {
                if (frame.Cursor is { } cursor && push is null && frame.Trace is { } trace && trace.TakeSpan()
                    && ActivityContext.TryParse(trace.TraceParent, null, out var parent))
                {
                    // The last span of a write's trace: its messages leaving on this WebSocket.
                    push = Telemetry.Source.StartActivity("push to subscriber", ActivityKind.Producer, parent);
                    push?.SetTag("reactiverest.subscriber", SubscriberId);
                    push?.SetTag("reactiverest.observer", cursor.ObserverId);
                }

                Volatile.Write(ref _sendingSince, System.Diagnostics.Stopwatch.GetTimestamp());
                await socket.SendAsync(frame.Utf8, WebSocketMessageType.Text, endOfMessage: true, _ended.Token);
                Volatile.Write(ref _sendingSince, 0);
                if (frame.Cursor is { } sent)
                {
                    sent.Sent = frame.Seq;
                    messages++;
                    if (frame.CapturedAtMs > 0 && (earliestCapture == 0 || frame.CapturedAtMs < earliestCapture))
                    {
                        earliestCapture = frame.CapturedAtMs;
                    }
                }
            }
        }
        finally
        {
            push?.SetTag("reactiverest.messages", messages);
            push?.Dispose();
            metrics?.BatchSent(messages, earliestCapture, earliestCapture > 0 ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : 0);
        }
    }

    private async Task CloseOutputAsync(WebSocketCloseStatus status, string description)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, description, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The peer went away first; nothing left to close.
        }

        _closeSent.TrySetResult();

        // Wait briefly for the client's close reply, then make sure the receive loop ends.
        _ = Task.Delay(TimeSpan.FromSeconds(5), _ended.Token).ContinueWith(_ => socket.Abort(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Reads the client's frames until the socket closes. Holds a buffer of a few bytes while idle.</summary>
    public async Task ReceiveAsync(CancellationToken aborted)
    {
        var small = new byte[SmallReceiveBuffer];
        try
        {
            while (socket.State == WebSocketState.Open && !aborted.IsCancellationRequested)
            {
                var (type, text, tooBig) = await ReceiveMessageAsync(small, aborted);
                var closing = type switch
                {
                    WebSocketMessageType.Close => (WebSocketCloseStatus.NormalClosure, "Bye."),
                    WebSocketMessageType.Binary => (WebSocketCloseStatus.InvalidMessageType, "Only text messages are part of the protocol."),
                    _ when tooBig => (WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {options.MaxIncomingMessageBytes} bytes."),
                    _ => ((WebSocketCloseStatus, string)?)null,
                };
                if (closing is { } close)
                {
                    // The pump sends the close frame (one sender at a time); the session ends once it has.
                    RequestClose(close.Item1, close.Item2);
                    await _closeSent.Task.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
                    return;
                }

                if (!await RepliesTakenAsync(aborted))
                {
                    // A client that sends and does not read: its replies would grow without bound. The close waits
                    // behind what it did not read, so the session ends (and aborts the socket) if it is not sent soon.
                    RequestClose(WebSocketCloseStatus.PolicyViolation, $"{MaxPendingReplies} replies to its frames wait unread.");
                    await _closeSent.Task.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
                    return;
                }

                if (text == ProtocolMessage.Heartbeat)
                {
                    Reply(ProtocolMessage.Heartbeat);
                }
                else if (ClientMessage.IsToken(text, out var token))
                {
                    if (!await RenewTokenAsync(token, aborted))
                    {
                        await _closeSent.Task.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
                        return;
                    }
                }
                else
                {
                    Reply(ProtocolMessage.Error("unsupported_message",
                        "Clients send no messages but the heartbeat '--heartbeat--' and a fresh token ({\"msg\": \"token\", \"token\": \"…\"}); subscribe with a GET carrying 'observe'."));
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or TimeoutException)
        {
        }
        finally
        {
            await _ended.CancelAsync();
        }
    }

    /// <summary>
    /// A fresh token for the open socket: the user's own moves the connection's expiry on (answered with its new expiry);
    /// an invalid one is answered with an error and changes nothing; another user's closes the connection.
    /// </summary>
    /// <returns>False when the connection is being closed.</returns>
    private async Task<bool> RenewTokenAsync(string? token, CancellationToken aborted)
    {
        if (token is not { Length: > 0 })
        {
            Reply(ProtocolMessage.Error("invalid_token", "A token frame is {\"msg\": \"token\", \"token\": \"<a JWT>\"}."));
            return true;
        }

        if (ValidateToken is null)
        {
            Reply(ProtocolMessage.Error("invalid_token", "This server accepts no token on an open socket."));
            return true;
        }

        var check = await ValidateToken(token, aborted);
        if (check.Error is { } error)
        {
            Reply(ProtocolMessage.Error("invalid_token", error));
            return true;
        }

        if (!string.Equals(check.User, User, StringComparison.Ordinal))
        {
            // The subscriber id and its subscriptions are this user's: a socket never changes hands.
            RequestClose(TokenOfAnotherUser, "The token names another user.");
            return false;
        }

        Volatile.Write(ref _tokenExpiresMs, check.Expires.ToUnixTimeMilliseconds());
        Reply(ProtocolMessage.TokenAccepted(check.Expires));
        return true;
    }

    /// <summary>The replies waiting to be sent.</summary>
    internal int PendingReplies
    {
        get
        {
            lock (_queues)
            {
                return _replies?.Count ?? 0;
            }
        }
    }

    /// <summary>
    /// Past <see cref="MaxPendingReplies"/>, the client's next frame is read only once the pump took the replies (an
    /// honest burst: at once); false when it did not within <see cref="RepliesTakenWithin"/>.
    /// </summary>
    private async Task<bool> RepliesTakenAsync(CancellationToken aborted)
    {
        if (PendingReplies < MaxPendingReplies)
        {
            return true;
        }

        // Made before the queue is looked at again, so that the pump's next take is sure to signal it.
        SemaphoreSlim taken;
        lock (_queues)
        {
            taken = _repliesTaken ??= new SemaphoreSlim(0, 1);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(RepliesTakenWithin.TotalSeconds * Stopwatch.Frequency);
        while (PendingReplies >= MaxPendingReplies)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || socket.State != WebSocketState.Open || _ended.IsCancellationRequested)
            {
                return false;
            }

            await taken.WaitAsync(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency), aborted);
        }

        return true;
    }

    private async Task<(WebSocketMessageType Type, string Text, bool TooBig)> ReceiveMessageAsync(byte[] small, CancellationToken aborted)
    {
        var result = await socket.ReceiveAsync(small.AsMemory(), aborted);
        if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
        {
            return (result.MessageType, Encoding.UTF8.GetString(small, 0, result.Count), false);
        }

        // Larger than the idle buffer: continue into a rented one, up to the limit.
        var limit = options.MaxIncomingMessageBytes;
        var rented = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            small.AsSpan(0, result.Count).CopyTo(rented);
            var length = result.Count;
            while (!result.EndOfMessage)
            {
                if (length > limit)
                {
                    return (result.MessageType, "", true);
                }

                result = await socket.ReceiveAsync(rented.AsMemory(length, limit + 1 - length), aborted);
                length += result.Count;
            }

            return (result.MessageType, Encoding.UTF8.GetString(rented, 0, length), length > limit);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
