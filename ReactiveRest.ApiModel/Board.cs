namespace ReactiveRest.ApiModel;

public sealed class Board
{
    public int Id { get; set; }

    public required string Name { get; set; }
}
