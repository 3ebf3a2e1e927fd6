namespace ReactiveRest.Tests.Diffing;

public enum DiffEditKind
{
    Delete,
    Insert,
    Move,
    ChangeData,
}
