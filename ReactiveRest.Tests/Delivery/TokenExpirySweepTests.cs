using System.Net.WebSockets;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Tests.Delivery;

/// <summary>
/// The periodic sweep closes a session whose token expired with 4001, once, and leaves one whose token is still valid
/// (or that has no expiry) alone; the clock is passed in, so no test waits for a token to expire.
/// </summary>
public sealed class TokenExpirySweepTests
{
    [Fact]
    public async Task A_session_is_closed_with_4001_once_its_token_expired_and_not_before()
    {
        var stream = new MemoryStreamTransport();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        var session = new SubscriberSession("expiring", socket, new ReactiveOptions(), (_, _) => { }) { TokenExpires = expires };

        session.CloseIfTokenExpired(expires.AddSeconds(-1));
        Assert.False(session.CloseSent.IsCompleted);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), session.TokenExpires!.Value.ToUnixTimeMilliseconds());

        session.CloseIfTokenExpired(expires);
        await session.CloseSent.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Null(session.TokenExpires);
        // An unmasked close frame (FIN, opcode 8) whose payload starts with the code.
        var written = stream.Written;
        Assert.Equal(0x88, written[0]);
        Assert.Equal(4001, written[2] << 8 | written[3]);
    }

    [Fact]
    public void A_session_without_an_expiry_is_never_closed_by_the_sweep()
    {
        var stream = new MemoryStreamTransport();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var session = new SubscriberSession("forever", socket, new ReactiveOptions(), (_, _) => { });

        session.CloseIfTokenExpired(DateTimeOffset.MaxValue);
        Assert.False(session.CloseSent.IsCompleted);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    /// <summary>A transport that keeps what is written and never has anything to read.</summary>
    private sealed class MemoryStreamTransport : StalledStream
    {
        private readonly List<byte> _written = [];

        public List<byte> Written
        {
            get
            {
                lock (_written)
                {
                    return [.. _written];
                }
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_written)
            {
                _written.AddRange(buffer.ToArray());
            }

            return ValueTask.CompletedTask;
        }
    }
}
