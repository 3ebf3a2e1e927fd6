using ReactiveRest.Engine.Observers;

namespace ReactiveRest.Tests.Engine;

public sealed class BatchQueueTests
{
    [Fact]
    public void The_first_item_of_a_key_runs_at_once_and_alone()
    {
        var queue = new BatchQueue<string, int>(maxBatch: 10);

        Assert.Equal([1], queue.Add("a", 1));
        Assert.Null(queue.Completed("a"));
        Assert.Equal(0, queue.Keys);
    }

    [Fact]
    public void Items_arriving_during_a_run_wait_and_then_run_together()
    {
        var queue = new BatchQueue<string, int>(maxBatch: 10);
        Assert.Equal([1], queue.Add("a", 1));

        Assert.Null(queue.Add("a", 2));
        Assert.Null(queue.Add("a", 3));
        Assert.Null(queue.Add("a", 4));

        Assert.Equal([2, 3, 4], queue.Completed("a"));
        Assert.Null(queue.Completed("a"));
        Assert.Equal([5], queue.Add("a", 5));
    }

    [Fact]
    public void A_batch_never_takes_an_item_after_it_started()
    {
        var queue = new BatchQueue<string, int>(maxBatch: 10);
        queue.Add("a", 1);
        queue.Add("a", 2);
        var second = queue.Completed("a");

        // Arrives while the second batch runs: it must wait for a third, not join the second.
        Assert.Null(queue.Add("a", 3));
        Assert.Equal([2], second);
        Assert.Equal([3], queue.Completed("a"));
    }

    [Fact]
    public void Keys_are_independent()
    {
        var queue = new BatchQueue<string, int>(maxBatch: 10);

        Assert.Equal([1], queue.Add("a", 1));
        Assert.Equal([2], queue.Add("b", 2));
        Assert.Null(queue.Add("a", 3));

        Assert.Null(queue.Completed("b"));
        Assert.Equal([3], queue.Completed("a"));
        Assert.Null(queue.Completed("a"));
        Assert.Equal(0, queue.Keys);
    }

    [Fact]
    public void A_full_waiting_batch_starts_beside_the_running_one()
    {
        var queue = new BatchQueue<string, int>(maxBatch: 3);
        Assert.Equal([0], queue.Add("a", 0));

        Assert.Null(queue.Add("a", 1));
        Assert.Null(queue.Add("a", 2));
        Assert.Equal([1, 2, 3], queue.Add("a", 3));
        Assert.Null(queue.Add("a", 4));

        // Two batches run; whichever ends first takes the waiting item, the other then finds nothing.
        Assert.Equal([4], queue.Completed("a"));
        Assert.Null(queue.Completed("a"));
        Assert.Equal(1, queue.Keys);
        Assert.Null(queue.Completed("a"));
        Assert.Equal(0, queue.Keys);
    }

    [Fact]
    public void Under_concurrency_every_item_runs_exactly_once_and_after_it_was_added()
    {
        var queue = new BatchQueue<int, int>(maxBatch: 7);
        var ran = new System.Collections.Concurrent.ConcurrentBag<int>();
        var added = new System.Collections.Concurrent.ConcurrentDictionary<int, long>();
        var clock = 0L;

        void Run(int key, IReadOnlyList<int>? batch)
        {
            for (var next = batch; next is not null; next = queue.Completed(key))
            {
                var started = Interlocked.Increment(ref clock);
                foreach (var item in next)
                {
                    Assert.True(added[item] < started, $"item {item} ran in a batch that started before it was added");
                    ran.Add(item);
                }
            }
        }

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, item =>
        {
            var key = item % 3;
            added[item] = Interlocked.Increment(ref clock);
            Run(key, queue.Add(key, item));
        });

        Assert.Equal(Enumerable.Range(0, 20_000), ran.Order());
        Assert.Equal(0, queue.Keys);
    }
}
