namespace ReactiveRest.Engine.Resources;

/// <summary>One member of a batch as the statement sees it: its 1-based position, its pinned value and its user.</summary>
public sealed class BatchRowKey
{
    public long Ordinal { get; set; }

    public int Pin { get; set; }

    public string Principal { get; set; } = "";
}
