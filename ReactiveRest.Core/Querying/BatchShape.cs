
namespace ReactiveRest.Engine.Querying;

/// <summary>
/// What the queries evaluated in one statement share: the resource, the partition field each pins to its own value
/// (or none), and the rest of the list query (or none, for a detail, which pins the key).
/// </summary>
/// <param name="Key">Equal for queries of one shape, different otherwise.</param>
public sealed record BatchShape(string Key, ResourceField? Pin, ListQuery? List);
