using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Tests.Querying;

/// <summary>One filter as meant, before it is spelled: the generators spell one meaning in many ways.</summary>
public sealed record FilterSpec(ResourceField Field, Lookup Lookup, IReadOnlyList<object> Values)
{
    public override string ToString() => $"{Field.Name}__{Lookup.ToSuffix()}={string.Join(",", Values.Select(value => value is DateTimeOffset instant ? instant.ToString("O") : value))}";
}

/// <summary>A list query as meant; a null ordering, limit or offset means the default, left unsaid.</summary>
public sealed record QuerySpec(IReadOnlyList<FilterSpec> Filters, IReadOnlyList<OrderingTerm>? Ordering, int? Limit, int? Offset)
{
    public override string ToString() =>
        $"[{string.Join(" & ", Filters)}] ordering={(Ordering is null ? "default" : string.Join(",", Ordering))} limit={Limit?.ToString() ?? "default"} offset={Offset?.ToString() ?? "default"}";
}

/// <summary>A query as meant and one way of writing it as parameters.</summary>
public sealed record SpelledQuery(QuerySpec Spec, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    public override string ToString() => $"{string.Join("&", Parameters.Select(p => $"{p.Key}={p.Value}"))}  ({Spec})";
}
