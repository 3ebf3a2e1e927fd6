using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace ReactiveRest.Observers.Hosting;

/// <summary>
/// Replaces Kestrel's memory pool factory (resolved from DI since .NET 10): see <see cref="SmallBlockMemoryPool"/>. A choice of
/// this process, like its workstation GC, not of the library: it changes every connection's buffers.
/// </summary>
public sealed class SmallBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new SmallBlockMemoryPool();
}
