using System.Globalization;
using System.Linq.Expressions;

namespace ReactiveRest.Engine.Querying;

/// <summary>
/// One field of a reactive resource as clients see it: its camelCase name, its kind, and the expression that reads it
/// from the entity (so filters and orderings translate to SQL).
/// </summary>
public sealed class ResourceField
{
    /// <param name="name">The camelCase name clients use.</param>
    /// <param name="accessor"><c>entity =&gt; entity.Member</c>; its return type decides the field's kind.</param>
    /// <exception cref="ArgumentException">The member's type is not one a field supports.</exception>
    public ResourceField(string name, LambdaExpression accessor)
    {
        Name = name;
        Accessor = accessor;
        ValueType = accessor.ReturnType;
        Kind = KindOf(ValueType);
        Lookups = LookupNames.AllowedFor(Kind);
    }

    public string Name { get; }

    public FieldKind Kind { get; }

    public Type ValueType { get; }

    /// <summary><c>entity =&gt; entity.Member</c>, typed with the member's own type.</summary>
    public LambdaExpression Accessor { get; }

    public IReadOnlySet<Lookup> Lookups { get; }

    /// <summary>
    /// Parses one query-string value into the field's CLR type, as the filter compares it: <see cref="int"/> or
    /// <see cref="long"/> for an integer field (as it is declared), a <see cref="Guid"/> for a UUID.
    /// </summary>
    public bool TryParseValue(string text, out object value, out string error)
    {
        // Checked for every kind: .NET's number and date parsers accept trailing NULs, so "5\0" would quietly mean 5.
        if (StorableText.ProblemWith(text) is { } problem)
        {
            value = text;
            error = problem;
            return false;
        }

        switch (Kind)
        {
            case FieldKind.Integer when ValueType == typeof(long)
                && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var wide):
                value = wide;
                break;
            case FieldKind.Integer when ValueType == typeof(int)
                && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                value = integer;
                break;
            case FieldKind.Uuid when Guid.TryParse(text, out var uuid):
                value = uuid;
                break;
            case FieldKind.Boolean when TryParseBoolean(text, out var boolean):
                value = boolean;
                break;
            case FieldKind.Timestamp when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp):
                // PostgreSQL timestamptz compares instants; Npgsql only accepts UTC offsets for it.
                value = timestamp.ToUniversalTime();
                break;
            case FieldKind.String:
                value = text;
                break;
            default:
                value = text;
                error = $"'{text}' is not a valid {Describe(Kind)}.";
                return false;
        }

        error = "";
        return true;
    }

    private static bool TryParseBoolean(string text, out bool value)
    {
        // django-filter's BooleanFilter accepts these spellings.
        switch (text)
        {
            case "true" or "True" or "1":
                value = true;
                return true;
            case "false" or "False" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static string Describe(FieldKind kind) => kind switch
    {
        FieldKind.Integer => "integer",
        FieldKind.Uuid => "UUID",
        FieldKind.Boolean => "boolean (true or false)",
        FieldKind.Timestamp => "ISO 8601 timestamp",
        _ => "string",
    };

    private static FieldKind KindOf(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => FieldKind.Integer,
        _ when type == typeof(Guid) => FieldKind.Uuid,
        _ when type == typeof(string) => FieldKind.String,
        _ when type == typeof(bool) => FieldKind.Boolean,
        _ when type == typeof(DateTimeOffset) => FieldKind.Timestamp,
        _ => throw new ArgumentException($"Fields of type {type.Name} are not supported."),
    };
}
