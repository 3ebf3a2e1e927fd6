using System.Text.Json;
using ReactiveRest.Client;
using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Tests.Clients;

/// <summary>The .NET client's ordering and applying of messages, without a server.</summary>
public sealed class ObservedListTests
{
    private const string Observer = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Messages_apply_as_the_protocol_says()
    {
        var list = new ObservedList();
        list.Reset([Item(1), Item(2), Item(3)], seq: 5);

        Assert.True(list.Receive(Message("added", 1, Item(4), 6)));
        Assert.Equal([1, 4, 2, 3], Ids(list));
        Assert.True(list.Receive(Message("changed", 3, Item(1, "moved"), 7)));
        Assert.Equal([4, 2, 3, 1], Ids(list));
        Assert.Equal("moved", list.Items[3].GetProperty("title").GetString());
        list.Receive(Message("changed", 1, Item(2, "in place"), 8));
        Assert.Equal([4, 2, 3, 1], Ids(list));
        list.Receive(Message("removed", 2, Item(3), 9));
        Assert.Equal([4, 2, 1], Ids(list));
        list.Receive(Message("changed", 0, Item(99), 10));
        Assert.Equal([4, 2, 1], Ids(list));
        Assert.Equal(10, list.Seq);
    }

    [Fact]
    public void Messages_before_the_answer_wait_for_it_and_what_the_answer_covers_is_dropped()
    {
        var list = new ObservedList();
        Assert.False(list.Receive(Message("added", 0, Item(1), 3)));
        Assert.False(list.Receive(Message("added", 1, Item(2), 4)));
        Assert.False(list.HasSnapshot);
        Assert.Empty(list.Items);

        // The GET read the data after the write of seq 3.
        Assert.True(list.Reset([Item(1)], seq: 3));

        Assert.Equal([1, 2], Ids(list));
        Assert.Equal(4, list.Seq);
        Assert.False(list.IsStalled);
    }

    [Fact]
    public void A_message_after_a_gap_waits_and_the_list_says_it_is_stalled()
    {
        var list = new ObservedList();
        list.Reset([Item(1)], seq: 1);

        Assert.False(list.Receive(Message("added", 2, Item(3), 3)));
        Assert.True(list.IsStalled);
        Assert.Equal([1], Ids(list));

        Assert.True(list.Receive(Message("added", 1, Item(2), 2)));
        Assert.Equal([1, 2, 3], Ids(list));
        Assert.False(list.IsStalled);
    }

    [Fact]
    public void A_fresh_answer_past_a_gap_unstalls_the_list()
    {
        var list = new ObservedList();
        list.Reset([Item(1)], seq: 1);
        list.Receive(Message("added", 2, Item(3), 4));

        Assert.True(list.Reset([Item(1), Item(2)], seq: 3));

        Assert.Equal([1, 2, 3], Ids(list));
        Assert.False(list.IsStalled);
    }

    [Fact]
    public void An_answer_older_than_the_list_is_ignored()
    {
        var list = new ObservedList();
        list.Reset([Item(1)], seq: 1);
        list.Receive(Message("added", 1, Item(2), 2));

        Assert.False(list.Reset([Item(1)], seq: 1));

        Assert.Equal([1, 2], Ids(list));
        Assert.Equal(2, list.Seq);
    }

    [Fact]
    public void A_duplicate_is_dropped()
    {
        var list = new ObservedList();
        list.Reset([], seq: 0);
        list.Receive(Message("added", 0, Item(1), 1));

        Assert.False(list.Receive(Message("added", 0, Item(1), 1)));

        Assert.Equal([1], Ids(list));
    }

    [Fact]
    public void A_resync_run_applies_whole_at_its_last_message_and_until_then_the_list_stays_resumable()
    {
        var list = new ObservedList();
        list.Reset([Item(1), Item(2)], seq: 10);

        Assert.False(list.Receive(Message("removed", 0, Item(1), -1, resync: true)));
        Assert.False(list.Receive(Message("added", 1, Item(3), -1, resync: true)));
        Assert.Equal([1, 2], Ids(list));
        Assert.Equal(10, list.Seq);

        Assert.True(list.Receive(Message("changed", 0, Item(2, "last"), 500, resync: true)));
        Assert.Equal([2, 3], Ids(list));
        Assert.Equal(500, list.Seq);
    }

    [Fact]
    public void Discard_forgets_the_list_until_the_next_answer()
    {
        var list = new ObservedList();
        list.Reset([Item(1)], seq: 1);
        list.Receive(Message("removed", 0, Item(1), -1, resync: true));

        list.Discard();

        Assert.False(list.HasSnapshot);
        list.Receive(Message("added", 1, Item(3), 8));
        list.Reset([Item(2)], seq: 7);
        Assert.Equal([2, 3], Ids(list));
    }

    /// <summary>
    /// A random history of results diffed by the server's own <see cref="OrderedDiff"/>; the client's GET answers at a
    /// random point while the messages around it arrive early, duplicated, or collapsed into a resync run. The list
    /// ends equal to the last result every time.
    /// </summary>
    [Fact]
    public void Random_histories_delivered_around_the_answer_rebuild_the_last_result()
    {
        var seed = Environment.TickCount;
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var results = History(random, steps: random.Next(1, 25));
            var log = new List<ChangeMessage>();
            var positions = new List<long> { 0 };
            for (var step = 1; step < results.Count; step++)
            {
                foreach (var change in OrderedDiff.Compute(results[step - 1], results[step], item => item.GetProperty("id").GetInt32(), (a, b) => a.GetRawText() == b.GetRawText()))
                {
                    log.Add(Message(change.Kind.ToString().ToLowerInvariant(), change.Order, change.Item, log.Count + 1));
                }

                positions.Add(log.Count);
            }

            // The GET saw results[answered]; a few messages it covers arrive first, then the rest, some twice.
            var answered = random.Next(results.Count);
            var answeredSeq = positions[answered];
            var list = new ObservedList();
            var early = (int)Math.Max(0, answeredSeq - random.Next(3));
            var split = (int)Math.Min(log.Count, answeredSeq + random.Next(4));
            foreach (var message in log.Take(split).Skip(early))
            {
                list.Receive(message);
            }

            list.Reset(results[answered], answeredSeq);
            var delivered = split;
            // Where a reconnect could resume from: a step at or past what the list already stands at.
            var resumable = Enumerable.Range(0, results.Count - 1).Where(step => step >= answered && positions[step] >= split).ToArray();
            if (random.Next(3) == 0 && resumable.Length > 0)
            {
                // The backlog after that step collapsed into one run from the list there to the last result.
                var from = resumable[random.Next(resumable.Length)];
                foreach (var message in log.Take((int)positions[from]).Skip(delivered))
                {
                    list.Receive(message);
                }

                var run = OrderedDiff.Compute(results[from], results[^1], item => item.GetProperty("id").GetInt32(), (a, b) => a.GetRawText() == b.GetRawText());
                for (var index = 0; index < run.Count; index++)
                {
                    var last = index == run.Count - 1;
                    list.Receive(Message(run[index].Kind.ToString().ToLowerInvariant(), run[index].Order, run[index].Item, last ? log.Count + 1000 : -1, resync: true));
                }

                delivered = log.Count;
                if (run.Count == 0)
                {
                    // An empty diff is no run; the list already stands where the rest of the log would take it.
                    foreach (var message in log.Skip((int)positions[from]))
                    {
                        list.Receive(message);
                    }
                }
            }

            foreach (var message in log.Skip(Math.Max(0, delivered - random.Next(3))))
            {
                list.Receive(message);
            }

            Assert.Equal(Render(results[^1]), Render(list.Items));
            Assert.False(list.IsStalled, $"seed {seed}, round {round}");
        }
    }

    private static List<IReadOnlyList<JsonElement>> History(Random random, int steps)
    {
        var results = new List<IReadOnlyList<JsonElement>> { RandomResult(random) };
        for (var step = 0; step < steps; step++)
        {
            results.Add(RandomResult(random));
        }

        return results;
    }

    private static JsonElement[] RandomResult(Random random) =>
        [.. Enumerable.Range(1, 12).Where(_ => random.Next(2) == 0).OrderBy(_ => random.Next()).Select(id => Item(id, $"v{random.Next(3)}"))];

    private static ChangeMessage Message(string kind, int order, JsonElement item, long seq, bool resync = false) =>
        new(kind, Observer, "id", order, item, seq, resync);

    private static JsonElement Item(int id, string title = "t") => JsonSerializer.SerializeToElement(new { id, title });

    private static int[] Ids(ObservedList list) => [.. list.Items.Select(item => item.GetProperty("id").GetInt32())];

    private static string Render(IEnumerable<JsonElement> items) => string.Join(",", items.Select(item => item.GetRawText()));
}
