namespace ReactiveRest.Tests.Diffing;

/// <summary>A previous and a next query result; printed compactly so a failing property is easy to read.</summary>
public sealed record DiffCase(DiffItem[] Previous, DiffItem[] Next)
{
    public override string ToString() => $"[{string.Join(",", Previous.AsEnumerable())}] -> [{string.Join(",", Next.AsEnumerable())}]";
}
