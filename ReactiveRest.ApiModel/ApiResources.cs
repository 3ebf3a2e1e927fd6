using Microsoft.EntityFrameworkCore;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.ApiModel;

/// <summary>
/// What clients may filter and order each resource by, in which order lists come by default, who sees which rows (a
/// user sees the boards they are a member of, and those boards' tasks and statistics) and how clients write them:
/// boards and tasks are served whole by <c>MapReactiveResources</c>, any member may change or delete them.
/// </summary>
public static class ApiResources
{
    /// <summary>Served at <c>/api/boards</c>; the creator of a board becomes its first member, in the same transaction.</summary>
    public static readonly ReactiveResource<Board> Boards = new ReactiveResource<Board>("boards", board => board.Id)
        .WithField(board => board.Name)
        .OrderedBy("id")
        .VisibleTo(BoardAccess.ToBoard)
        .WritableThrough(writes => writes
            .Field(board => board.Name)
            // Without a member nobody could see the new board, not even its creator.
            .OnCreate((board, context) => context.Db.Add(new BoardMember { Board = board, User = context.User, AddedAt = context.Now })));

    /// <summary>
    /// Served at <c>/api/tasks</c>. A task may move to another board the writer sees; a board the writer does not see
    /// "does not exist". A new task goes to the end of its board unless given a position.
    /// </summary>
    public static readonly ReactiveResource<TaskItem> Tasks = new ReactiveResource<TaskItem>("tasks", task => task.Id)
        .PartitionedBy(task => task.BoardId)
        .WithField(task => task.Title)
        .WithField(task => task.Done)
        .WithField(task => task.Position)
        .WithField(task => task.CreatedAt)
        .WithField(task => task.UpdatedAt)
        .OrderedBy("position", "id")
        .VisibleTo(BoardAccess.ToTask)
        .DisplayedAs("Task")
        .WritableThrough(writes => writes
            .Field(task => task.BoardId)
            .Field(task => task.Title)
            .Field(task => task.Done)
            .Field(task => task.Position)
            .DefaultOnCreate(task => task.Position, async (task, context, cancellationToken) =>
                (await context.Db.Set<TaskItem>().Where(other => other.BoardId == task.BoardId)
                    .MaxAsync(other => (int?)other.Position, cancellationToken) ?? -1) + 1)
            .OnCreate((task, context) => task.CreatedAt = context.Now)
            .OnWrite((task, context) => task.UpdatedAt = context.Now));

    /// <summary>
    /// Each board's task counts, computed by the database. Declared polled, as data no change key announces would be
    /// (a view over other services' tables, a time-dependent value): its observers are evaluated every two seconds,
    /// shared and diffed like the others, and send nothing when nothing changed.
    /// </summary>
    public static readonly ReactiveResource<BoardStats> BoardStatistics = new ReactiveResource<BoardStats>("boardstats", stats => stats.Id)
        .WithField(stats => stats.Name)
        .WithField(stats => stats.Tasks)
        .WithField(stats => stats.Done)
        .OrderedBy("id")
        .ComputedBy(db => db.Set<Board>().Select(board => new BoardStats
        {
            Id = board.Id,
            Name = board.Name,
            Tasks = db.Set<TaskItem>().Count(task => task.BoardId == board.Id),
            Done = db.Set<TaskItem>().Count(task => task.BoardId == board.Id && task.Done),
        }))
        .PolledEvery(TimeSpan.FromSeconds(2))
        .VisibleTo(BoardAccess.ToStats)
        .WithOwnEndpoints();

    /// <summary>Board memberships grant access: adding or removing one re-evaluates the observers of the user it names.</summary>
    public static readonly AccessTable<BoardMember> Memberships = new(member => member.User);

    public static IReadOnlyList<IReactiveResource> All => [Boards, Tasks, BoardStatistics, Comment.Resource];

    public static IReadOnlyList<IAccessTable> AccessTables => [Memberships];
}
