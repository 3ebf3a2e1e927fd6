namespace ReactiveRest.ApiModel;

/// <summary>A computed aggregate of a board: no table holds it and no change key announces it, so its observers poll.</summary>
public sealed class BoardStats
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public int Tasks { get; set; }

    public int Done { get; set; }
}
