using ReactiveRest.Observers.Hosting;

namespace ReactiveRest.Tests.Delivery;

public sealed class SmallBlockMemoryPoolTests
{
    [Fact]
    public void Blocks_are_1_KiB_and_a_returned_block_is_reused()
    {
        using var pool = new SmallBlockMemoryPool();
        Assert.Equal(1024, pool.MaxBufferSize);

        var first = pool.Rent(100);
        Assert.Equal(1024, first.Memory.Length);
        first.Memory.Span[0] = 42;
        first.Dispose();

        using var second = pool.Rent();
        Assert.Equal(42, second.Memory.Span[0]);
    }

    [Fact]
    public void Blocks_rented_at_the_same_time_never_share_memory()
    {
        using var pool = new SmallBlockMemoryPool();
        var blocks = Enumerable.Range(0, 64).Select(_ => pool.Rent()).ToList();
        for (var i = 0; i < blocks.Count; i++)
        {
            blocks[i].Memory.Span.Fill((byte)i);
        }

        Assert.All(blocks.Select((block, i) => (block, i)), pair => Assert.True(pair.block.Memory.Span.IndexOfAnyExcept((byte)pair.i) < 0));
        blocks.ForEach(block => block.Dispose());
    }

    [Fact]
    public void A_request_larger_than_a_block_is_refused_so_that_pipes_fall_back_to_their_own_buffers()
    {
        using var pool = new SmallBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(1025));
    }
}
