using System.Text;
using ReactiveRest.Client;

namespace ReactiveRest.Tests.Clients;

/// <summary>The .NET client's small pure pieces: backoff, the WebSocket address, frame parsing.</summary>
public sealed class ClientPiecesTests
{
    [Fact]
    public void Backoff_doubles_up_to_the_cap_and_keeps_at_least_half()
    {
        var random = new Random(7);
        var initial = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(10);
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var ceiling = Math.Min(100 * Math.Pow(2, attempt), 10_000);
            for (var draw = 0; draw < 50; draw++)
            {
                var delay = Backoff.Delay(attempt, initial, max, random).TotalMilliseconds;
                Assert.InRange(delay, ceiling / 2, ceiling);
            }
        }
    }

    [Fact]
    public void Backoff_is_jittered()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 20).Select(_ => Backoff.Delay(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), random)).ToHashSet();
        Assert.True(delays.Count > 10);
    }

    [Fact]
    public void The_WebSocket_address_carries_the_resume_positions_and_the_token()
    {
        var uri = WebSocketAddress.Build(new Uri("https://observers.example:8443/base/"), "alice", [("a1", 17), ("b2", -1)], "t/k+n=");

        Assert.Equal("wss://observers.example:8443/base/ws/alice?resume=a1:17,b2:-1&access_token=t%2Fk%2Bn%3D", uri.AbsoluteUri);
        Assert.Equal("ws://127.0.0.1:5190/ws/bob", WebSocketAddress.Build(new Uri("http://127.0.0.1:5190"), "bob", [], null).AbsoluteUri);
    }

    [Theory]
    [InlineData("--heartbeat--")]
    [InlineData("{\"msg\":\"unknown\"}")]
    [InlineData("{not json")]
    [InlineData("[]")]
    public void Frames_the_client_does_not_know_are_skipped(string text) =>
        Assert.Null(ServerMessage.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Frames_parse_into_their_records()
    {
        var change = Assert.IsType<ChangeMessage>(ServerMessage.Parse(
            """{"msg":"changed","observer":"o","primary_key":"id","order":2,"item":{"id":7},"seq":-1,"resync":true}"""u8));
        Assert.Equal(("changed", "o", "id", 2, 7, -1L, true), (change.Msg, change.Observer, change.PrimaryKey, change.Order, change.Item.GetProperty("id").GetInt32(), change.Seq, change.Resync));
        Assert.False(Assert.IsType<ChangeMessage>(ServerMessage.Parse("""{"msg":"added","observer":"o","primary_key":"id","order":0,"item":{"id":1},"seq":3}"""u8)).Resync);

        var expired = Assert.IsType<ExpiredMessage>(ServerMessage.Parse("""{"msg":"expired","observer":"o","reason":"subscription_ended"}"""u8));
        Assert.Equal(new ExpiredMessage("o", "subscription_ended"), expired);
    }
}
