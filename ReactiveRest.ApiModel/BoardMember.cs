namespace ReactiveRest.ApiModel;

/// <summary>A user who may see and change a board and its tasks. The board's creator is its first member.</summary>
public sealed class BoardMember
{
    public int BoardId { get; set; }

    public required string User { get; set; }

    public DateTimeOffset AddedAt { get; set; }
}
