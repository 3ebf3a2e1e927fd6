namespace ReactiveRest.Engine.Http;

/// <summary>One page of a list, in DRF's LimitOffsetPagination shape.</summary>
public sealed record ListPage<T>(int Count, string? Next, string? Previous, IReadOnlyList<T> Results);
