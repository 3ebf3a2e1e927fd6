using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using ReactiveRest.Engine.Reactive;
using StackExchange.Redis;

namespace ReactiveRest.Observers.Subscribers;

/// <summary>
/// One subscriber's WebSocket: sends the messages of its outbox in order and deletes them once sent, answers the
/// client's frames, and closes with a protocol close code on abuse. One sender at a time, as WebSockets require.
/// </summary>
public sealed class SubscriberSession(
    string subscriberId,
    WebSocket socket,
    ObserverStore store,
    IConnectionMultiplexer redis,
    ReactiveOptions options,
    ILogger<SubscriberSession> logger)
{
    /// <summary>Close code when another connection took this subscriber over.</summary>
    public const WebSocketCloseStatus Superseded = (WebSocketCloseStatus)4000;

    private const int OutboxBatch = 200;
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(5);
    private readonly string _connectionId = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Channel<string> _replies = Channel.CreateBounded<string>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();

    /// <summary>One pending wake-up is enough: the next flush reads the whole outbox.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        await redis.GetDatabase().StringSetAsync(RedisKeys.SubscriberConnection(subscriberId), _connectionId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _stop.Token);
        var sending = SendLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(linked.Token);
        }
        finally
        {
            await linked.CancelAsync();
            await sending;
        }
    }

    /// <summary>Another connection of the same subscriber arrived on this replica.</summary>
    public Task SupersedeAsync() => CloseAsync(Superseded, "Another connection took over this subscriber.");

    /// <summary>After the socket closed: the subscriptions live on for the grace period, unless another connection owns them.</summary>
    public async Task ReleaseAsync(DateTimeOffset deadline)
    {
        try
        {
            if (await redis.GetDatabase().StringGetAsync(RedisKeys.SubscriberConnection(subscriberId)) == _connectionId)
            {
                await store.RenewSubscriberAsync(subscriberId, deadline);
            }
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not start the grace period of subscriber {Subscriber}; its previous deadline holds", subscriberId);
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                while (_replies.Reader.TryRead(out var reply))
                {
                    await SendAsync(reply, cancellationToken);
                }

                await FlushOutboxAsync(cancellationToken);
                await Task.WhenAny(_wake.WaitAsync(SafetyNet, cancellationToken), _replies.Reader.WaitToReadAsync(cancellationToken).AsTask());
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RedisException exception)
            {
                logger.LogWarning(exception, "Reading the outbox of subscriber {Subscriber} failed; retrying", subscriberId);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (WebSocketException)
            {
                return;
            }
        }
    }

    private async Task FlushOutboxAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Both reads go out together: one round trip before the first frame, not two.
            var owner = redis.GetDatabase().StringGetAsync(RedisKeys.SubscriberConnection(subscriberId));
            var pending = store.ReadOutboxAsync(subscriberId, OutboxBatch);
            if (await owner != _connectionId)
            {
                await CloseAsync(Superseded, "Another connection took over this subscriber.");
                await _stop.CancelAsync();
                return;
            }

            var messages = await pending;
            foreach (var evaluation in messages.ChunkBy(message => message.TraceParent))
            {
                // The last span of a write's trace: its messages leaving on this WebSocket.
                ActivityContext.TryParse(evaluation[0].TraceParent, null, out var parent);
                using var activity = Telemetry.Source.StartActivity("push to subscriber", ActivityKind.Producer, parent);
                activity?.SetTag("reactiverest.subscriber", subscriberId);
                activity?.SetTag("reactiverest.messages", evaluation.Count);
                foreach (var message in evaluation)
                {
                    await SendAsync(message.Message, cancellationToken);
                }
            }

            if (messages.Count > 0)
            {
                await store.RemoveFromOutboxAsync(subscriberId, [.. messages.Select(message => message.Id)]);
                Telemetry.MessagesSent.Add(messages.Count);
            }

            if (messages.Count < OutboxBatch)
            {
                return;
            }
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[options.MaxIncomingMessageBytes + 1];
        while (socket.State == WebSocketState.Open && !cancellationToken.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                }
                catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
                {
                    return;
                }

                length += result.Count;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, "Bye.");
                    return;
                }

                if (length > options.MaxIncomingMessageBytes)
                {
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {options.MaxIncomingMessageBytes} bytes.");
                    return;
                }
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                await CloseAsync(WebSocketCloseStatus.InvalidMessageType, "Only text messages are part of the protocol.");
                return;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, length);
            _replies.Writer.TryWrite(text == ProtocolMessage.Heartbeat
                ? ProtocolMessage.Heartbeat
                : ProtocolMessage.Error("unsupported_message", "Clients send no messages but the heartbeat '--heartbeat--'; subscribe with a GET carrying 'observe'."));
        }
    }

    private async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(status, description, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The peer went away first; nothing left to close.
        }
        finally
        {
            _sending.Release();
        }
    }
}
