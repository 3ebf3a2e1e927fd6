namespace ReactiveRest.Engine.Resources;

/// <summary>A result row tagged with the position of the batch member it belongs to.</summary>
public sealed class BatchRow<TEntity>
{
    public long Ordinal { get; set; }

    public TEntity Item { get; set; } = default!;
}
