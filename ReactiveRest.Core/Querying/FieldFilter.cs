
namespace ReactiveRest.Engine.Querying;

/// <summary>One parsed filter parameter, such as <c>position__in=1,2</c>: the values are already of the field's type.</summary>
public sealed record FieldFilter(ResourceField Field, Lookup Lookup, IReadOnlyList<object> Values);
