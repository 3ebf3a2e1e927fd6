using System.Buffers;
using System.Collections.Concurrent;

namespace ReactiveRest.Observers.Hosting;

/// <summary>
/// Kestrel's buffers in blocks of 1 KiB instead of its default 4 KiB. A connection's output pipe keeps its last block
/// for the next write, so every WebSocket that was ever sent a frame holds one block for as long as it is open: with
/// ten thousand subscribers that was 40 MB held for frames of a few hundred bytes (measured with dotnet-dump).
/// Larger writes simply span several blocks.
/// </summary>
internal sealed class SmallBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 1024;

    /// <summary>Free blocks kept for reuse (1 MiB); beyond that a returned block is left to the garbage collector.</summary>
    private const int MaxFreeBlocks = 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }

        return new Block(this);
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxFreeBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    /// <summary>On the pinned object heap, like Kestrel's own blocks: sockets use them without pinning, and they never move.</summary>
    private sealed class Block(SmallBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool.Return(this);
    }
}
