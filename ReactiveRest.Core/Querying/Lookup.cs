namespace ReactiveRest.Engine.Querying;

/// <summary>A django-filter lookup, written after a double underscore: <c>position__gte=3</c>.</summary>
public enum Lookup
{
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    In,
    IContains,
}

public static class LookupNames
{
    private static readonly Dictionary<string, Lookup> BySuffix = new(StringComparer.Ordinal)
    {
        ["exact"] = Lookup.Exact,
        ["gt"] = Lookup.GreaterThan,
        ["gte"] = Lookup.GreaterThanOrEqual,
        ["lt"] = Lookup.LessThan,
        ["lte"] = Lookup.LessThanOrEqual,
        ["in"] = Lookup.In,
        ["icontains"] = Lookup.IContains,
    };

    public static bool TryParse(string suffix, out Lookup lookup) => BySuffix.TryGetValue(suffix, out lookup);

    public static string ToSuffix(this Lookup lookup) => BySuffix.First(pair => pair.Value == lookup).Key;

    /// <summary>The lookups that make sense for a kind of field.</summary>
    public static IReadOnlySet<Lookup> AllowedFor(FieldKind kind) => kind switch
    {
        FieldKind.Boolean or FieldKind.Uuid => EqualityLookups,
        FieldKind.String => StringLookups,
        _ => OrderedLookups,
    };

    private static readonly HashSet<Lookup> EqualityLookups = [Lookup.Exact, Lookup.In];

    private static readonly HashSet<Lookup> OrderedLookups =
        [Lookup.Exact, Lookup.GreaterThan, Lookup.GreaterThanOrEqual, Lookup.LessThan, Lookup.LessThanOrEqual, Lookup.In];

    private static readonly HashSet<Lookup> StringLookups = [.. OrderedLookups, Lookup.IContains];
}
