using ReactiveRest.Engine.Resources;

namespace ReactiveRest.ApiModel;

/// <summary>
/// What clients may filter and order each resource by, in which order lists come by default, and who sees which rows:
/// a user sees the boards they are a member of, and those boards' tasks and statistics.
/// </summary>
public static class ApiResources
{
    public static readonly ReactiveResource<Board> Boards = new ReactiveResource<Board>("boards", board => board.Id)
        .WithField(board => board.Name)
        .OrderedBy("id")
        .VisibleTo(BoardAccess.ToBoard)
        .WithOwnEndpoints();

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
        .WithOwnEndpoints();

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
