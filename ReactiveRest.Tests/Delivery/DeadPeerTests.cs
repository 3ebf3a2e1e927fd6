using System.Diagnostics;
using StackExchange.Redis;
using Aspire.Hosting.Testing;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Tests.Faults;
using ReactiveRest.Tests.Infrastructure;
using ReactiveRest.Tests.Security;

namespace ReactiveRest.Tests.Delivery;

/// <summary>
/// A peer that stops answering pings is dropped within the ping interval plus <c>Reactive:KeepAliveTimeout</c>, and its
/// subscriptions enter the grace period as for any lost connection (issue 18). The stack pings every second and waits
/// two seconds for the pong (<see cref="LimitsStack"/>).
/// </summary>
[Collection(nameof(LimitsCollection))]
public sealed class DeadPeerTests(LimitsStack stack)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>For the scheduling of a shared machine: the server's timer, its session's end and the TCP close.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    private static TimeSpan Bound => LimitsStack.KeepAliveInterval + LimitsStack.KeepAliveTimeout;

    [Fact]
    public async Task A_socket_held_open_that_answers_nothing_is_closed_within_the_bound_and_its_subscriptions_enter_the_grace_period()
    {
        var user = TestUsers.Unique("deadpeer");
        using var api = stack.CreateApiClient(user);
        var board = (await api.CreateBoardAsync()).Id();
        var id = "dead-" + Guid.NewGuid().ToString("N")[..16];
        var uri = Subscriber.WebSocketUri(stack, $"/ws/{id}", user);
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await stack.App.GetConnectionStringAsync("redis", Cancellation))!);

        // The upgrade by hand: from here on the client reads (to see the server's pings and its close) and writes nothing.
        var opened = Stopwatch.StartNew();
        var (socket, status) = await RawWebSocket.ConnectAsync(uri, uri.PathAndQuery, Cancellation);
        Assert.Equal(101, status);
        await using var dead = socket!;
        using (var observe = await api.GetAsync($"/api/tasks?boardId={board}&observe={id}", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, observe.StatusCode);
        }

        Assert.Null(await redis.GetDatabase().SortedSetScoreAsync(RedisKeys.Disconnected, id));

        // Every ping goes unanswered; the first is sent an interval after the upgrade, so the drop is due by the bound.
        var outcome = await dead.ReadOutcomeAsync(_ => false, Bound + Margin, Cancellation);
        var after = opened.Elapsed;
        Assert.True(outcome == "eof", $"The server did not close the connection of a peer answering no ping within {(Bound + Margin).TotalSeconds} s: {outcome}.");
        Assert.True(dead.PingsReceived > 0, "The server sent no ping: the test proves nothing.");
        Assert.True(after >= LimitsStack.KeepAliveTimeout, $"Dropped after {after.TotalSeconds:F1} s, before a ping could have gone unanswered for the timeout.");

        // Its subscriptions wait out the grace period, as for any lost connection.
        await Eventually.HoldsAsync(async () => await redis.GetDatabase().SortedSetScoreAsync(RedisKeys.Disconnected, id) is not null,
            TimeSpan.FromSeconds(10), $"subscriber {id} entered the grace period (in {RedisKeys.Disconnected})");
    }

    [Fact]
    public async Task A_client_that_reads_answers_the_pings_and_stays_connected_well_past_the_bound()
    {
        await using var subscriber = await Subscriber.ConnectAsync(stack, user: TestUsers.Unique("livepeer"));
        var until = DateTimeOffset.UtcNow + 3 * Bound;
        await Eventually.HoldsThroughoutAsync(() =>
        {
            try
            {
                subscriber.AssertConnected();
                return Task.FromResult<string?>(null);
            }
            catch (Xunit.Sdk.XunitException exception)
            {
                return Task.FromResult<string?>(exception.Message);
            }
        }, until, "A client answering pings stays connected");
    }
}
