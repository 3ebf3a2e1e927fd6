namespace ReactiveRest.Engine.Diffing;

/// <summary>What a diff message tells a client to do with one item of its copy of a query result.</summary>
public enum ChangeKind
{
    Added,
    Changed,
    Removed,
}
