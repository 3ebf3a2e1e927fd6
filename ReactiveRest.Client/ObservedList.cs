using System.Text.Json;

namespace ReactiveRest.Client;

/// <summary>
/// The client's copy of one observed query, and the only place that orders and applies its messages (pure: no I/O,
/// not thread-safe; <see cref="ReactiveClient"/> calls it under its lock).
/// <para>
/// Messages are taken in any state and applied only when they follow what the list holds: before the GET's answer
/// (<see cref="Reset"/>) everything waits; after it, a message whose <c>seq</c> the list already covers is dropped
/// (the GET saw that write), the next one is applied, and one after a gap waits for the gap to fill (or for a fresh GET,
/// which <see cref="IsStalled"/> asks for). A resync run is held until its last message and then applied at once: in
/// between, the list would be neither the old result nor the new one, and holding it keeps <see cref="Seq"/> at a
/// position the server can resume from (resuming from -1 would only be answered <c>expired</c>).
/// </para>
/// </summary>
internal sealed class ObservedList
{
    private readonly List<JsonElement> _items = [];
    private readonly List<Batch> _waiting = [];
    private List<ChangeMessage>? _run;

    public IReadOnlyList<JsonElement> Items => _items;

    /// <summary>The position of <see cref="Items"/> in the observer's log: what a reconnect resumes from. <c>null</c> before a GET answered.</summary>
    public long? Seq { get; private set; }

    public bool HasSnapshot => Seq is not null;

    /// <summary>Messages wait behind a gap in <c>seq</c>: only a fresh GET can fill it.</summary>
    public bool IsStalled => HasSnapshot && _waiting.Count > 0;

    /// <summary>
    /// Takes a GET's answer, unless the list already stands at or after its position (a concurrent GET of the same
    /// query answered later than messages that went past it): a list derived exactly is as good and newer.
    /// </summary>
    /// <returns>Whether <see cref="Items"/> changed.</returns>
    public bool Reset(IEnumerable<JsonElement> items, long seq)
    {
        if (Seq is { } current && current >= seq)
        {
            return Drain();
        }

        _items.Clear();
        _items.AddRange(items);
        Seq = seq;
        Drain();
        return true;
    }

    /// <returns>Whether <see cref="Items"/> changed.</returns>
    public bool Receive(ChangeMessage message)
    {
        if (message.Resync)
        {
            (_run ??= []).Add(message);
            if (message.Seq == -1)
            {
                return false;
            }

            Wait(new Batch(_run, message.Seq, IsRun: true));
            _run = null;
        }
        else
        {
            Wait(new Batch([message], message.Seq, IsRun: false));
        }

        return Drain();
    }

    /// <summary>The server said the observer expired: this copy is worth nothing until a fresh GET's answer.</summary>
    public void Discard()
    {
        _items.Clear();
        _waiting.Clear();
        _run = null;
        Seq = null;
    }

    /// <summary>In seq order (after any batch of the same seq), so that the message filling a gap goes before those it blocked.</summary>
    private void Wait(Batch batch)
    {
        var index = _waiting.FindIndex(waiting => waiting.Seq > batch.Seq);
        _waiting.Insert(index < 0 ? _waiting.Count : index, batch);
    }

    private bool Drain()
    {
        var changed = false;
        while (Seq is { } seq && _waiting.Count > 0)
        {
            var head = _waiting[0];
            if (head.Seq <= seq)
            {
                // Already in the list: a write the GET saw, or a run that ends before it.
                _waiting.RemoveAt(0);
                continue;
            }

            // A run starts from the last position the server sent (or was told), so it follows by construction;
            // an ordinary message must be exactly the next one.
            if (!head.IsRun && head.Seq != seq + 1)
            {
                break;
            }

            _waiting.RemoveAt(0);
            foreach (var message in head.Messages)
            {
                Apply(message);
            }

            Seq = head.Seq;
            changed = true;
        }

        return changed;
    }

    /// <summary>docs/protocol.md, "Receive changes": removed deletes by key; added inserts at order; changed moves to order.</summary>
    private void Apply(ChangeMessage message)
    {
        var key = KeyOf(message.Item, message.PrimaryKey);
        var index = key is null ? -1 : _items.FindIndex(item => KeyOf(item, message.PrimaryKey) == key);
        switch (message.Msg)
        {
            case "removed" when index >= 0:
                _items.RemoveAt(index);
                break;
            case "added":
                // Never two copies of one key, whatever happens.
                if (index >= 0)
                {
                    _items.RemoveAt(index);
                }

                _items.Insert(Math.Clamp(message.Order, 0, _items.Count), message.Item);
                break;
            case "changed" when index >= 0:
                _items.RemoveAt(index);
                _items.Insert(Math.Clamp(message.Order, 0, _items.Count), message.Item);
                break;
        }
    }

    /// <summary>The key as its JSON text, so that any key type compares exactly (7 and "7" differ).</summary>
    private static string? KeyOf(JsonElement item, string primaryKey) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(primaryKey, out var key) ? key.GetRawText() : null;

    /// <summary>What applies as one step: one message, or a whole resync run with the position it brings the list to.</summary>
    private sealed record Batch(IReadOnlyList<ChangeMessage> Messages, long Seq, bool IsRun);
}
