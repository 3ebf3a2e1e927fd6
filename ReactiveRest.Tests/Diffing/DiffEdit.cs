namespace ReactiveRest.Tests.Diffing;

/// <summary>
/// One edit of a result list. The raw numbers are reduced modulo the list length when applied, so any value is valid
/// and FsCheck can generate and shrink edits freely.
/// </summary>
public sealed record DiffEdit(DiffEditKind Kind, int From, int To)
{
    public override string ToString() => $"{Kind}({From},{To})";
}
