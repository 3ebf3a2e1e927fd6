using System.Net.WebSockets;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Tests.Delivery;

/// <summary>
/// A client that sends frames and never reads the replies costs the server a bounded amount of memory: once
/// <see cref="SubscriberSession.MaxPendingReplies"/> replies wait, its frames are left unread (in its own buffers and
/// TCP's) until they are sent; and the socket's end still ends the session.
/// </summary>
public sealed class ChattyClientTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replies_waiting_for_a_client_that_does_not_read_stop_the_reading_of_its_frames()
    {
        const int frames = 1000;
        var stream = new ChattyStream(frames);
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var session = new SubscriberSession("chatty", socket, new ReactiveOptions(), (_, _) => { });
        var receiving = session.ReceiveAsync(CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!session.WaitingForReplies)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The session never stopped reading: {stream.FramesRead} of {frames} frames read, {session.PendingReplies} replies waiting.");
            Assert.False(receiving.IsCompleted, "The receive loop ended.");
            await Task.Delay(10, Cancellation);
        }

        // Stopped with the queue full: the pump holds one batch in its stalled send, the queue the rest.
        Assert.Equal(SubscriberSession.MaxPendingReplies, session.PendingReplies);
        Assert.True(stream.FramesRead < frames, $"All {frames} frames were read although no reply was sent.");
        Assert.True(stream.FramesRead <= 2 * SubscriberSession.MaxPendingReplies + 1, $"{stream.FramesRead} frames read for {SubscriberSession.MaxPendingReplies} waiting replies.");

        // The stuck-client sweep aborts such a socket: the waiting receive loop notices and the session ends.
        socket.Abort();
        await receiving.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.True(session.Ended.IsCancellationRequested);
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
