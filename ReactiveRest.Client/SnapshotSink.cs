using System.Text.Json;
using System.Threading.Channels;

namespace ReactiveRest.Client;

/// <summary>
/// The snapshots waiting for one enumeration. It keeps only the newest: a consumer slower than the changes skips
/// intermediate lists but always gets the current one, and memory never grows with the backlog.
/// </summary>
internal sealed class SnapshotSink
{
    private readonly Channel<IReadOnlyList<JsonElement>> _channel = Channel.CreateBounded<IReadOnlyList<JsonElement>>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<IReadOnlyList<JsonElement>> Reader => _channel.Reader;

    public void Publish(IReadOnlyList<JsonElement> snapshot) => _channel.Writer.TryWrite(snapshot);

    /// <summary>Ends the enumeration: normally, or by throwing <paramref name="error"/> to it.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
