namespace ReactiveRest.Engine.Resources;

/// <summary>One member of a batch as the statement sees it: its 1-based position, its pinned value and its user.</summary>
/// <typeparam name="TPin">The pinned field's type: int, long, Guid or string.</typeparam>
public sealed class BatchRowKey<TPin>
{
    public long Ordinal { get; set; }

    public TPin Pin { get; set; } = default!;

    public string Principal { get; set; } = "";
}
