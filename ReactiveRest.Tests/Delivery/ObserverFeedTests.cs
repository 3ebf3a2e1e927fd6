using System.Net.WebSockets;
using ReactiveRest.Engine.Diffing;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Delivery;

namespace ReactiveRest.Tests.Delivery;

/// <summary>
/// A replica's shared copy of an observer's log, without I/O: subscribers read it at their own positions, and one that
/// falls further behind than the window gets one resync run, after which its list equals the current result.
/// </summary>
public sealed class ObserverFeedTests
{
    private const string Observer = "0123456789abcdef0123456789abcdef";

    private static ObservedItem Item(int id, string title) => new(id.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""{"id":{{id}},"title":"{{title}}"}""");

    /// <summary>Publishes one evaluation: the messages from the previous result to the next, numbered after the head.</summary>
    private static List<ObservedItem> Publish(ObserverFeed feed, List<ObservedItem> previous, List<ObservedItem> next)
    {
        var messages = ProtocolMessage.Diff(Observer, previous, next, feed.Head + 1);
        feed.Append(new FeedHeader(Observer, "inc", null, 0, feed.Head + 1), [.. messages]);
        return next;
    }

    private static SubscriberSession Session() =>
        new("s1", WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true }), new ReactiveOptions(), (_, _) => { });

    /// <summary>Applies what the cursor is handed, as a client would, starting from <paramref name="list"/>.</summary>
    private static (List<ObservedItem> List, List<long> Seqs) Drain(ObserverFeed feed, Cursor cursor, List<ObservedItem> list)
    {
        var frames = new List<Outgoing>();
        while (feed.Take(cursor, 7, frames))
        {
        }

        var observed = new ObservedList(list);
        foreach (var frame in frames)
        {
            observed.Apply(System.Text.Encoding.UTF8.GetString(frame.Utf8.Span));
        }

        return ([.. observed.Items], [.. frames.Select(frame => frame.Seq)]);
    }

    [Fact]
    public void Followers_read_every_message_once_and_in_order_from_their_own_position()
    {
        var feed = new ObserverFeed(Observer, maxWindow: 100);
        feed.Load(new ObserverHead("[]", 0, 1, "inc"));
        var early = new Cursor(Session(), feed, 0);
        Assert.True(feed.TryFollow(early, 0));

        var result = Publish(feed, [], [Item(1, "a")]);
        var late = new Cursor(Session(), feed, 1);
        Assert.True(feed.TryFollow(late, feed.Head));
        result = Publish(feed, result, [Item(2, "b"), Item(1, "a2")]);

        var (earlyList, earlySeqs) = Drain(feed, early, []);
        var (lateList, lateSeqs) = Drain(feed, late, [Item(1, "a")]);
        Assert.Equal(result, earlyList);
        Assert.Equal(result, lateList);
        Assert.Equal(Enumerable.Range(1, (int)feed.Head).Select(seq => (long)seq), earlySeqs);
        Assert.Equal(Enumerable.Range(2, (int)feed.Head - 1).Select(seq => (long)seq), lateSeqs);
        Assert.Empty(Drain(feed, early, []).Seqs);
    }

    [Fact]
    public void A_follower_passed_by_the_trim_gets_one_resync_run_that_ends_at_the_head()
    {
        var feed = new ObserverFeed(Observer, maxWindow: 20);
        feed.Load(new ObserverHead("[]", 0, 1, "inc"));
        var slow = new Cursor(Session(), feed, 0);
        var fast = new Cursor(Session(), feed, 0);
        feed.TryFollow(slow, 0);
        feed.TryFollow(fast, 0);

        var random = new Random(7);
        List<ObservedItem> result = [];
        var fastList = new List<ObservedItem>();
        for (var round = 0; round < 60; round++)
        {
            var next = result.Where(_ => random.Next(4) > 0).Select(item => random.Next(3) == 0 ? Item(int.Parse(item.Key, System.Globalization.CultureInfo.InvariantCulture), $"t{round}") : item).ToList();
            next.Insert(random.Next(next.Count + 1), Item(100 + round, $"n{round}"));
            result = Publish(feed, result, next);
            fastList = Drain(feed, fast, fastList).List;
        }

        var (slowList, slowSeqs) = Drain(feed, slow, []);
        Assert.Equal(result, slowList);
        Assert.Equal(result, fastList);
        Assert.Contains(-1L, slowSeqs);
        // The run ends with the head's seq, and what follows the run continues from it.
        var runEnd = slowSeqs.FindLastIndex(seq => seq == -1) + 1;
        Assert.Equal(Enumerable.Range(0, slowSeqs.Count - runEnd).Select(i => slowSeqs[runEnd] + i), slowSeqs[runEnd..]);
        Assert.Equal(feed.Head, slowSeqs[^1]);
    }

    [Fact]
    public void The_result_at_any_position_in_the_window_can_be_rebuilt()
    {
        var feed = new ObserverFeed(Observer, maxWindow: 100);
        feed.Load(new ObserverHead(ObservedItem.ToJsonArray([Item(1, "a")]), 5, 1, "inc"));
        var first = Publish(feed, [Item(1, "a")], [Item(1, "a"), Item(2, "b")]);
        var second = Publish(feed, first, [Item(2, "b")]);

        Assert.Equal([Item(1, "a")], feed.ResultAt(5));
        Assert.Equal(first, feed.ResultAt(6));
        Assert.Equal(second, feed.ResultAt(feed.Head));
        Assert.Null(feed.ResultAt(4));
    }

    [Fact]
    public void A_gap_and_a_recreated_observer_are_reported_not_applied()
    {
        var feed = new ObserverFeed(Observer, maxWindow: 100);
        feed.Load(new ObserverHead("[]", 3, 1, "inc"));

        var gap = feed.Append(new FeedHeader(Observer, "inc", null, 0, 6), [ProtocolMessage.Serialize(Observer, new ItemChange<ObservedItem>(ChangeKind.Added, 0, Item(1, "a")), 6)]);
        var recreated = feed.Append(new FeedHeader(Observer, "other", null, 0, 4), []);

        Assert.Equal(AppendStatus.Gap, gap.Status);
        Assert.Equal((3, 5), (gap.GapAfter, gap.GapUpTo));
        Assert.Equal(AppendStatus.Recreated, recreated.Status);
        Assert.Equal(3, feed.Head);
    }
}
