using ReactiveRest.Engine.Protocol;

namespace ReactiveRest.Tests.Delivery;

/// <summary>The small pure parts of delivery: resync runs, the resume parameter, feed headers, control lines.</summary>
public sealed class ProtocolPiecesTests
{
    private const string Observer = "0123456789abcdef0123456789abcdef";

    private static ObservedItem Item(int id, string title) => new(id.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""{"id":{{id}},"title":"{{title}}"}""");

    [Fact]
    public void A_resync_run_rebuilds_the_target_and_only_its_last_message_carries_a_position()
    {
        List<ObservedItem> from = [Item(1, "a"), Item(2, "b"), Item(3, "c")];
        List<ObservedItem> to = [Item(3, "c2"), Item(4, "d"), Item(1, "a")];

        var run = ProtocolMessage.Resync(Observer, from, to, 42);
        var list = new ObservedList(from);
        foreach (var message in run)
        {
            list.Apply(message);
        }

        Assert.Equal(to, list.Items);
        Assert.All(run.Take(run.Count - 1), message => Assert.Contains("\"seq\":-1,\"resync\":true}", message, StringComparison.Ordinal));
        Assert.EndsWith("\"seq\":42,\"resync\":true}", run[^1], StringComparison.Ordinal);
        Assert.Empty(ProtocolMessage.Resync(Observer, from, from, 42));
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData(Observer + ":5", 1)]
    [InlineData(Observer + ":-1,fedcba9876543210fedcba9876543210:0", 2)]
    public void A_well_formed_resume_parameter_parses(string? value, int count)
    {
        var parsed = ResumeRequest.Parse(value is null ? [] : [value]);

        Assert.NotNull(parsed);
        Assert.Equal(count, parsed.Count);
    }

    [Theory]
    [InlineData(Observer)]
    [InlineData(Observer + ":")]
    [InlineData(Observer + ":x")]
    [InlineData(Observer + ":-2")]
    [InlineData("ABCDEF0123456789abcdef0123456789:1")]
    [InlineData(Observer + ":1," + Observer + ":2")]
    public void A_malformed_resume_parameter_is_refused(string value)
    {
        Assert.Null(ResumeRequest.Parse([value]));
        Assert.Null(ResumeRequest.Parse([Observer + ":1", Observer + ":2"]));
        Assert.Null(ResumeRequest.Parse([string.Join(',', Enumerable.Range(0, ResumeRequest.MaxObservers + 1).Select(i => $"{i:x32}:1"))]));
    }

    [Fact]
    public void A_feed_payload_round_trips()
    {
        var header = FeedHeader.Format(Observer, "inc", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01", DateTimeOffset.FromUnixTimeMilliseconds(1234));

        var (parsed, messages) = FeedHeader.Parse(header + " 17\n{\"a\":1}\n{\"b\":2}")!.Value;

        Assert.Equal(new FeedHeader(Observer, "inc", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01", 1234, 17), parsed);
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], messages);
        Assert.Null(FeedHeader.Parse("nonsense"));
    }

    [Fact]
    public void A_control_line_round_trips()
    {
        var message = new ControlMessage(ControlKind.Subscribed, "alice", Observer, 9);

        Assert.Equal(message, ControlMessage.Parse(message.ToString()));
        Assert.Null(ControlMessage.Parse("Unknown alice x 1"));
    }
}
