using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Text.Json.Serialization;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.ApiModel;

/// <summary>A comment on a task, visible to the members of the task's board; only its author may change or delete it.</summary>
[Table("comments")]
public sealed class Comment
{
    [Column("id")]
    public int Id { get; set; }

    [Column("task_id")]
    public int TaskId { get; set; }

    /// <summary>The commented task; deleting it deletes its comments. Not sent to clients.</summary>
    [ForeignKey(nameof(TaskId)), JsonIgnore]
    public TaskItem? Task { get; set; }

    [Column("author"), MaxLength(Limits.UserNameLength)]
    public string Author { get; set; } = "";

    [Column("text"), MaxLength(Limits.CommentLength)]
    public string Text { get; set; } = "";

    [Column("created_at")]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Served at <c>/api/comments</c>: filtered by task and author, ordered by creation. Visibility goes through the task
    /// to its board's members, so moving a task to another board moves its comments to that board's members, live.
    /// </summary>
    public static readonly ReactiveResource<Comment> Resource = new ReactiveResource<Comment>("comments", comment => comment.Id)
        .PartitionedBy(comment => comment.TaskId)
        .WithField(comment => comment.Author)
        .WithField(comment => comment.CreatedAt)
        .OrderedBy("createdAt", "id")
        .VisibleTo((db, user) => comment => db.Set<BoardMember>().Any(member => member.BoardId == comment.Task!.BoardId && member.User == user))
        .WritableThrough(writes => writes
            .Field(comment => comment.TaskId, FieldWrite.OnCreate)
            .Field(comment => comment.Text)
            .OnCreate((comment, context) =>
            {
                comment.Author = context.User;
                comment.CreatedAt = context.Now;
            })
            .OwnedBy(comment => comment.Author));
}
