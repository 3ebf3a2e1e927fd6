using System.Net.WebSockets;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Tests.Delivery;

/// <summary>
/// A client that sends frames and never reads the replies costs the server a bounded amount of memory: once
/// <see cref="SubscriberSession.MaxPendingReplies"/> replies wait, its frames are not read further; if the replies are
/// not taken within <see cref="SubscriberSession.RepliesTakenWithin"/> the connection is closed with 1008, and as the
/// close cannot reach a client that does not read, the session ends within seconds (not after
/// <see cref="ReactiveOptions.SendTimeout"/>).
/// </summary>
public sealed class ChattyClientTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_sends_and_does_not_read_is_closed_past_the_reply_cap()
    {
        const int frames = 1000;
        var stream = new ChattyStream(frames);
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var session = new SubscriberSession("chatty", socket, new ReactiveOptions(), (_, _) => { });
        var started = DateTime.UtcNow;

        await session.ReceiveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20), Cancellation);

        Assert.True(session.Ended.IsCancellationRequested, "The session did not end.");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), $"Ended after {(DateTime.UtcNow - started).TotalSeconds:F1} s.");
        // One frame past the replies waiting (the pump's stalled send holds one batch, the queue the rest).
        Assert.True(stream.FramesRead <= 2 * SubscriberSession.MaxPendingReplies + 1, $"{stream.FramesRead} of {frames} frames read for {SubscriberSession.MaxPendingReplies} waiting replies.");
        Assert.True(session.PendingReplies <= SubscriberSession.MaxPendingReplies, $"{session.PendingReplies} replies waiting.");
    }

    /// <summary>Reads: a client's masked one-byte text frames, then nothing. Writes: never complete (a client that does not read).</summary>
    private sealed class ChattyStream(int frames) : StalledStream
    {
        private static readonly byte[] Frame = [0x81, 0x81, 0, 0, 0, 0, (byte)'x'];
        private long _position;

        public int FramesRead => (int)(Interlocked.Read(ref _position) / Frame.Length);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var position = Interlocked.Read(ref _position);
            if (position >= (long)frames * Frame.Length)
            {
                return base.ReadAsync(buffer, cancellationToken);
            }

            // One frame at most per read, as a slow network delivers them.
            var offset = (int)(position % Frame.Length);
            var count = Math.Min(buffer.Length, Frame.Length - offset);
            Frame.AsSpan(offset, count).CopyTo(buffer.Span);
            Interlocked.Add(ref _position, count);
            return ValueTask.FromResult(count);
        }
    }
}
