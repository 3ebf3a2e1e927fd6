using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Sdk;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// The test client's own checks can fail: a server that aborts or closes the socket fails
/// <see cref="Subscriber.AssertConnected"/>, which tests use to claim a subscriber stayed connected through a fault.
/// </summary>
public sealed class SubscriberSelfTests : IAsyncLifetime
{
    private WebApplication? _server;
    private Uri _base = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.UseWebSockets();
        _server.Map("/open", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
            }
        });
        _server.Map("/abort", async context =>
        {
            // After the client's first frame, so that the upgrade's answer has surely reached it.
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.ReceiveAsync(new byte[1024], CancellationToken.None);
            context.Abort();
        });
        _server.Map("/close", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.CloseOutputAsync((WebSocketCloseStatus)4001, "go away", CancellationToken.None);
        });
        await _server.StartAsync(Cancellation);
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _base = new UriBuilder(address) { Scheme = "ws" }.Uri;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_socket_the_server_keeps_open_passes()
    {
        await using var subscriber = await Subscriber.ConnectAsync(new Uri(_base, "/open"));
        await subscriber.SendTextAsync("ping");
        Assert.Equal("ping", (await subscriber.NextAsync()).GetString());
        subscriber.AssertConnected();
    }

    [Fact]
    public async Task A_socket_the_server_aborts_fails_the_check_and_says_it_was_aborted()
    {
        await using var subscriber = await Subscriber.ConnectAsync(new Uri(_base, "/abort"));
        await subscriber.SendTextAsync("go");
        var ended = await Assert.ThrowsAsync<InvalidOperationException>(() => subscriber.NextAsync());
        Assert.Contains("aborted", ended.Message, StringComparison.Ordinal);

        var failure = Assert.Throws<TrueException>(subscriber.AssertConnected);
        Assert.Contains("no longer connected", failure.Message, StringComparison.Ordinal);
        Assert.NotNull(subscriber.Aborted);
    }

    [Fact]
    public async Task A_socket_the_server_closes_fails_the_check_with_the_close_code()
    {
        await using var subscriber = await Subscriber.ConnectAsync(new Uri(_base, "/close"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => subscriber.NextAsync());

        var failure = Assert.Throws<TrueException>(subscriber.AssertConnected);
        Assert.Contains("close 4001", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/tasks/5", true)]
    [InlineData("/api/boards/5?observe=s1", true)]
    [InlineData("/api/tasks?boardId=5", false)]
    [InlineData("/api/boards", false)]
    [InlineData("/api/boards/5/members", false)]
    public void Only_a_detail_url_may_answer_404_as_an_empty_view(string url, bool detail) =>
        Assert.Equal(detail, Convergence.IsDetail(url));
}
