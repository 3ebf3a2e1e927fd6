namespace ReactiveRest.Api.Model;

public sealed class Board
{
    public int Id { get; set; }

    public required string Name { get; set; }
}
