using System.Net.WebSockets;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ReactiveRest.Api.Extensions;
using ReactiveRest.Tests.Faults;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// A WebSocket lives no longer than its token: it is closed with 4001 when the token expires, unless the client sent a
/// fresh one on the socket first (<c>{"msg": "token", "token": "…"}</c>); another user's token closes it with 4003
/// (issue 18). The tokens here last a few seconds.
/// </summary>
public sealed class TokenLifetimeTests(ReactiveRestApp app)
{
    private static readonly TimeSpan ShortLife = TimeSpan.FromSeconds(3);

    /// <summary>The sweep that closes expired sockets runs every second; the rest is a busy machine's scheduling.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    /// <summary>A JWT's <c>exp</c> is in whole seconds: when a token meant to expire at <paramref name="expires"/> does.</summary>
    private static DateTimeOffset ExpOf(DateTimeOffset expires) => DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds());

    private static string TokenFor(string user, DateTime expires) =>
        TestUsers.Mint(new Dictionary<string, object> { ["sub"] = user }, expires: expires);

    [Fact]
    public async Task A_socket_is_closed_with_4001_when_its_token_expires_and_resumes_with_a_fresh_one_without_losing_a_message()
    {
        using var api = app.CreateApiClient();
        var board = (await api.CreateBoardAsync()).Id();
        var expires = DateTime.UtcNow + ShortLife;
        await using var subscriber = await Subscriber.ConnectAsync(app, token: TokenFor(TestUsers.Current, expires));
        var observer = await subscriber.ObserveAsync(api, $"/api/tasks?boardId={board}");
        await api.CreateTaskAsync(board, "before the expiry");
        await subscriber.NextAsync();

        var status = await subscriber.WaitClosedAsync(ShortLife + Margin);
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.True(DateTimeOffset.UtcNow >= ExpOf(expires), "Closed before the token expired.");

        // While it is away, and after it is back: every message, in order (the subscriber checks each seq).
        await api.CreateTaskAsync(board, "while away");
        subscriber.UseToken(TokenFor(TestUsers.Current, DateTime.UtcNow.AddMinutes(5)));
        await subscriber.OpenAsync(app, resume: true);
        await api.CreateTaskAsync(board, "after the return");
        await Convergence.AssertConvergesAsync(api, subscriber, observer, $"/api/tasks?boardId={board}");
        Assert.Equal(3, subscriber.View(observer).Count);
    }

    [Fact]
    public async Task Auth_DevTokenLifetime_sets_the_development_tokens_lifetime_and_a_socket_opened_with_one_closes_with_4001_at_its_expiry()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string?>(TestUsers.ServiceSettings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)))
        {
            ["ConnectionStrings:redis"] = await app.App.GetConnectionStringAsync("redis", cancellation),
            ["ConnectionStrings:reactivedb"] = await app.App.GetConnectionStringAsync("reactivedb", cancellation),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Auth:DevTokenLifetime"] = "00:00:03",
        };
        // An API replica in the test process, in Development, with the stack's signing key: its tokens open the stack's sockets.
        await using var development = new WebApplicationFactory<BadRequestExceptionHandler>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        using var client = development.CreateClient();
        var user = TestUsers.Unique("devtoken");
        var before = DateTimeOffset.UtcNow;
        using var issued = await client.PostAsJsonAsync("/api/dev/token", new { user }, cancellation);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var body = await issued.ReadJsonAsync();
        var expires = body.GetProperty("expires").GetDateTimeOffset();
        Assert.InRange(expires - before, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        await using var subscriber = await Subscriber.ConnectAsync(app, user: user, token: body.GetProperty("token").GetString());
        Assert.Equal((WebSocketCloseStatus)4001, await subscriber.WaitClosedAsync(ShortLife + Margin));
        Assert.True(DateTimeOffset.UtcNow >= ExpOf(expires), "Closed before the token expired.");
    }

    [Fact]
    public async Task A_fresh_token_sent_on_the_socket_keeps_it_open_past_the_first_expiry()
    {
        var expires = DateTime.UtcNow + ShortLife;
        await using var subscriber = await Subscriber.ConnectAsync(app, token: TokenFor(TestUsers.Current, expires));
        var renewed = DateTime.UtcNow.AddMinutes(5);
        await subscriber.SendTextAsync(JsonSerializer.Serialize(new { msg = "token", token = TokenFor(TestUsers.Current, renewed) }));

        var reply = await subscriber.NextAsync();
        Assert.Equal("token", reply.GetProperty("msg").GetString());
        var announced = reply.GetProperty("expires").GetDateTimeOffset();
        Assert.True((announced - renewed).Duration() < TimeSpan.FromSeconds(2), $"Announced expiry {announced:O}, token's {renewed:O}.");

        // Well past the first token's expiry and the sweeps after it.
        await Eventually.HoldsThroughoutAsync(() => Task.FromResult(subscriber.CloseStatus is { } closed ? $"closed with {(int)closed}" : null),
            new DateTimeOffset(expires) + TimeSpan.FromSeconds(4), "The socket whose token was renewed stays open");
        await subscriber.SendTextAsync("--heartbeat--");
        Assert.Equal("--heartbeat--", (await subscriber.NextAsync()).GetString());
        subscriber.AssertConnected();
    }

    [Fact]
    public async Task A_token_of_another_user_sent_on_the_socket_closes_it_with_4003()
    {
        await using var subscriber = await Subscriber.ConnectAsync(app);
        await subscriber.SendTextAsync(JsonSerializer.Serialize(new { msg = "token", token = TokenFor(TestUsers.Unique("mallory"), DateTime.UtcNow.AddMinutes(5)) }));

        Assert.Equal((WebSocketCloseStatus)4003, await subscriber.WaitClosedAsync(Margin));
    }

    [Theory]
    [InlineData("""{"msg": "token", "token": "not.a.token"}""")]
    [InlineData("""{"msg": "token"}""")]
    [InlineData("""{"msg": "token", "token": 42}""")]
    [InlineData("""{"msg": "token", "token": "\ud800"}""")]
    public async Task An_invalid_token_frame_is_answered_invalid_token_and_the_socket_stays_open(string frame)
    {
        await using var subscriber = await Subscriber.ConnectAsync(app);
        await subscriber.SendTextAsync(frame);

        var reply = await subscriber.NextAsync();
        Assert.Equal("error", reply.GetProperty("msg").GetString());
        Assert.Equal("invalid_token", reply.GetProperty("error").GetString());
        await subscriber.SendTextAsync("--heartbeat--");
        Assert.Equal("--heartbeat--", (await subscriber.NextAsync()).GetString());
        subscriber.AssertConnected();
    }

    [Theory]
    [InlineData("""{"msg": "\ud800", "token": "x"}""")]
    [InlineData("""{"msg": "tokens"}""")]
    [InlineData("""["token"]""")]
    public async Task A_frame_that_is_not_a_token_frame_is_still_unsupported(string frame)
    {
        await using var subscriber = await Subscriber.ConnectAsync(app);
        await subscriber.SendTextAsync(frame);

        var reply = await subscriber.NextAsync();
        Assert.Equal("unsupported_message", reply.GetProperty("error").GetString());
        subscriber.AssertConnected();
    }

    [Fact]
    public async Task An_expired_or_foreign_signed_token_frame_is_refused_and_changes_nothing()
    {
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var expired = TestUsers.Mint(new Dictionary<string, object> { ["sub"] = TestUsers.Current }, notBefore: DateTime.UtcNow.AddMinutes(-10), expires: DateTime.UtcNow.AddSeconds(-5));
        var forged = TestUsers.Mint(new Dictionary<string, object> { ["sub"] = TestUsers.Current }, key: "another-signing-key-0123456789abcdef-0123456789");
        foreach (var token in new[] { expired, forged })
        {
            await subscriber.SendTextAsync(JsonSerializer.Serialize(new { msg = "token", token }));
            var reply = await subscriber.NextAsync();
            Assert.Equal("invalid_token", reply.GetProperty("error").GetString());
        }

        subscriber.AssertConnected();
    }
}
