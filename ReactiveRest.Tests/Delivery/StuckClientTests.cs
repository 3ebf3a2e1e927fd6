using System.Diagnostics;
using System.Net.WebSockets;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Delivery;

namespace ReactiveRest.Tests.Delivery;

/// <summary>
/// A client that stopped reading is dropped by the maintenance sweep once a send has been pending longer than the send
/// timeout (it then resumes on a new connection); not before, however often the sweep runs.
/// </summary>
public sealed class StuckClientTests
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_send_pending_past_the_send_timeout_aborts_the_connection_and_ends_the_session()
    {
        var stream = new StalledStream();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var session = new SubscriberSession("stuck", socket, new ReactiveOptions { SendTimeout = SendTimeout }, (_, exception) => failed.TrySetResult(exception));

        session.Reply("--heartbeat--");
        await stream.WriteStarted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // Sweeps within the timeout leave the connection alone (the clock is passed in, so no test waits 30 s).
        session.AbortIfStuck(Stopwatch.GetTimestamp());
        session.AbortIfStuck(Stopwatch.GetTimestamp() + (long)((SendTimeout.TotalSeconds - 1) * Stopwatch.Frequency));
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.False(failed.Task.IsCompleted);

        session.AbortIfStuck(Stopwatch.GetTimestamp() + (long)((SendTimeout.TotalSeconds + 1) * Stopwatch.Frequency));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact]
    public void A_session_that_is_not_sending_is_never_aborted()
    {
        var stream = new StalledStream();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var session = new SubscriberSession("idle", socket, new ReactiveOptions { SendTimeout = SendTimeout }, (_, _) => { });

        session.AbortIfStuck(Stopwatch.GetTimestamp() + (long)(SendTimeout.TotalSeconds * 10 * Stopwatch.Frequency));
        Assert.Equal(WebSocketState.Open, socket.State);
    }
}
