using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Querying;

/// <summary>A test entity with one field of every kind, and its resource: the subject of the query properties.</summary>
public sealed class Ticket
{
    public static readonly ReactiveResource<Ticket> Resource = new ReactiveResource<Ticket>("tickets", ticket => ticket.Id)
        .PartitionedBy(ticket => ticket.Queue)
        .WithField(ticket => ticket.Title)
        .WithField(ticket => ticket.Open)
        .WithField(ticket => ticket.Rank)
        .WithField(ticket => ticket.DueAt)
        .OrderedBy("-rank");

    public int Id { get; init; }

    public int Queue { get; init; }

    public string Title { get; init; } = "";

    public bool Open { get; init; }

    public int Rank { get; init; }

    public DateTimeOffset DueAt { get; init; }

    public override string ToString() =>
        $"Ticket(id={Id}, queue={Queue}, title=\"{Title}\", open={Open}, rank={Rank}, dueAt={DueAt:O})";
}
