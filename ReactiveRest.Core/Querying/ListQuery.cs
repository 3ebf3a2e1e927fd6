
namespace ReactiveRest.Engine.Querying;

/// <summary>A validated list query: filters, a total ordering (ending with the key), and one page of the result.</summary>
public sealed record ListQuery(
    IReadOnlyList<FieldFilter> Filters,
    IReadOnlyList<OrderingTerm> Ordering,
    int Limit,
    int Offset)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
}
