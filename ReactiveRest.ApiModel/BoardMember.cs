using System.Text.Json.Serialization;

namespace ReactiveRest.ApiModel;

/// <summary>A user who may see and change a board and its tasks. The board's creator is its first member.</summary>
public sealed class BoardMember
{
    public int BoardId { get; set; }

    /// <summary>
    /// The board, so that a membership added with a new board gets the board's generated id in the same SaveChanges.
    /// Not sent to clients.
    /// </summary>
    [JsonIgnore]
    public Board? Board { get; set; }

    public required string User { get; set; }

    public DateTimeOffset AddedAt { get; set; }
}
