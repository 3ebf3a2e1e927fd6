namespace ReactiveRest.Engine.Http;

/// <summary>A list's page as the observers' re-evaluation receives it (see <c>ObservedQuery.EvaluationHeader</c>).</summary>
public sealed record EvaluatedPage<T>(IReadOnlyList<T> Items);
