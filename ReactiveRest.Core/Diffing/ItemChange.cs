namespace ReactiveRest.Engine.Diffing;

/// <summary>
/// One diff message. <paramref name="Order"/> is the item's index in the new result for
/// <see cref="ChangeKind.Added"/> and <see cref="ChangeKind.Changed"/>, and its index in the previous result for
/// <see cref="ChangeKind.Removed"/>. <paramref name="Item"/> is the new item, or the previous one when removed.
/// </summary>
public sealed record ItemChange<T>(ChangeKind Kind, int Order, T Item);
