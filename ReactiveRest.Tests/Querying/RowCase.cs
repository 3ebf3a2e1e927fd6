namespace ReactiveRest.Tests.Querying;

/// <summary>A ticket and how PostgreSQL happens to write its row: the session's offset and the fraction's digits.</summary>
public sealed record WrittenRow(Ticket Ticket, TimeSpan Offset, bool TrimFraction)
{
    public override string ToString() => $"{Ticket} at offset {Offset}{(TrimFraction ? ", fraction trimmed" : "")}";
}

/// <summary>A query and a few written rows to test against it.</summary>
public sealed record RowCase(SpelledQuery Query, IReadOnlyList<WrittenRow> Rows)
{
    public override string ToString() => $"{Query} over [{string.Join("; ", Rows)}]";
}
