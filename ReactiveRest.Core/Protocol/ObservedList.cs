using System.Text.Json;
using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Engine.Protocol;

/// <summary>
/// A query result kept up to date by applying protocol messages exactly as a client does, so that a replica knows the
/// result at any position of an observer's log (to collapse a backlog into one diff, or to snapshot where a subscriber
/// stood when it disconnected).
/// </summary>
public sealed class ObservedList
{
    private readonly List<ObservedItem> _items;

    public ObservedList(IEnumerable<ObservedItem> items) => _items = [.. items];

    public IReadOnlyList<ObservedItem> Items => _items;

    public ObservedList Clone() => new(_items);

    /// <summary>Applies one message; messages for other kinds than added, changed, removed are ignored.</summary>
    public void Apply(string message)
    {
        if (Parse(message) is not { } change)
        {
            return;
        }

        var index = _items.FindIndex(item => string.Equals(item.Key, change.Item.Key, StringComparison.Ordinal));
        switch (change.Kind)
        {
            case ChangeKind.Removed when index >= 0:
                _items.RemoveAt(index);
                break;
            case ChangeKind.Added when index < 0:
                _items.Insert(Math.Min(change.Order, _items.Count), change.Item);
                break;
            case ChangeKind.Changed when index >= 0:
                _items.RemoveAt(index);
                _items.Insert(Math.Min(change.Order, _items.Count), change.Item);
                break;
        }
    }

    /// <summary>The change a protocol message carries, or null for a message that is not an item change.</summary>
    public static ItemChange<ObservedItem>? Parse(string message)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        if (!root.TryGetProperty("msg", out var kind) || !root.TryGetProperty("item", out var item) || !root.TryGetProperty("order", out var order))
        {
            return null;
        }

        ChangeKind? parsed = kind.GetString() switch
        {
            "added" => ChangeKind.Added,
            "changed" => ChangeKind.Changed,
            "removed" => ChangeKind.Removed,
            _ => null,
        };
        return parsed is { } known ? new ItemChange<ObservedItem>(known, order.GetInt32(), ObservedItem.From(item)) : null;
    }
}
