using System.ComponentModel.DataAnnotations;

namespace ReactiveRest.ApiModel;

/// <summary>A task on a board; named TaskItem in code only to stay clear of System.Threading.Tasks.Task.</summary>
public sealed class TaskItem
{
    public int Id { get; set; }

    public int BoardId { get; set; }

    public required string Title { get; set; }

    public bool Done { get; set; }

    /// <summary>Where the task sits on its board; the range leaves room for "one past the last" without overflowing.</summary>
    [Range(0, Limits.Position)]
    public int Position { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
