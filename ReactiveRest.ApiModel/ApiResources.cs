using ReactiveRest.Engine.Resources;

namespace ReactiveRest.ApiModel;

/// <summary>What clients may filter and order each resource by, and in which order lists come by default.</summary>
public static class ApiResources
{
    public static readonly ReactiveResource<Board> Boards = new ReactiveResource<Board>("boards", board => board.Id)
        .WithField(board => board.Name)
        .OrderedBy("id");

    public static readonly ReactiveResource<TaskItem> Tasks = new ReactiveResource<TaskItem>("tasks", task => task.Id)
        .PartitionedBy(task => task.BoardId)
        .WithField(task => task.Title)
        .WithField(task => task.Done)
        .WithField(task => task.Position)
        .WithField(task => task.CreatedAt)
        .WithField(task => task.UpdatedAt)
        .OrderedBy("position", "id");

    public static IReadOnlyList<IReactiveResource> All => [Boards, Tasks];
}
