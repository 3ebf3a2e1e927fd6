namespace ReactiveRest.Tests.Diffing;

/// <summary>A result row for diff tests: the key identifies it, a version change stands for a data change.</summary>
public sealed record DiffItem(int Key, int Version)
{
    public static int KeyOf(DiffItem item) => item.Key;

    public static bool SameData(DiffItem previous, DiffItem next) => previous.Version == next.Version;

    public override string ToString() => Version == 0 ? $"{Key}" : $"{Key}v{Version}";
}
