using System.Globalization;
using System.Text.Json;

namespace ReactiveRest.Engine.Protocol;

/// <summary>
/// The one spelling of a key or partition value that every layer agrees on, whatever produced it: a query-string
/// filter value, an entity read by EF Core, a row captured as JSON by PostgreSQL's <c>row_to_json</c>, or an item's
/// JSON as the API serialized it. Integers are written in invariant decimal, UUIDs in the lowercase "D" format
/// (<c>0f8fad5b-d9cb-469f-a165-70867728950e</c>), strings as they are. Change keys (<c>{resource}:{field}={value}</c>)
/// and the keys a diff matches items by are built from it, so a filter and a captured row meet on equal text.
/// </summary>
public static class KeyText
{
    /// <summary>What a resource's key or partition may be, as messages name them.</summary>
    public const string SupportedTypes = "int, long, Guid or string";

    /// <summary>Whether values of <paramref name="type"/> can be keys or partitions.</summary>
    public static bool IsSupported(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(Guid) || type == typeof(string);

    /// <summary>The canonical text of a key value of a supported type.</summary>
    /// <exception cref="ArgumentException">The value is of no supported type.</exception>
    public static string Of(object value) => value switch
    {
        int integer => Of(integer),
        long integer => Of(integer),
        Guid uuid => Of(uuid),
        string text => Of(text),
        _ => throw new ArgumentException($"A key of type {value.GetType().Name} is not supported; keys may be {SupportedTypes}."),
    };

    /// <summary>The canonical text of an <see cref="int"/> key, without boxing it (evaluations write one per row).</summary>
    public static string Of(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Of(int)"/>
    public static string Of(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Of(int)"/>
    public static string Of(Guid value) => value.ToString("D");

    /// <inheritdoc cref="Of(int)"/>
    public static string Of(string value) => value;

    /// <summary>
    /// The canonical text of a value of <paramref name="type"/> as JSON holds it (a number for integers, a string for
    /// UUIDs and text); null when the JSON is not such a value.
    /// </summary>
    public static string? FromJson(JsonElement value, Type type)
    {
        if (type == typeof(string))
        {
            return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }

        if (type == typeof(Guid))
        {
            // row_to_json already writes the "D" format; parsing makes any other spelling agree too.
            return value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var uuid) ? uuid.ToString("D") : null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var integer)
            ? integer.ToString(CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>
    /// The canonical text of a key whose type is not known here (an item's <c>id</c> in a message): a JSON integer in
    /// invariant decimal, a JSON string as it is. Equal to <see cref="Of(object)"/> of the value the item was serialized from,
    /// as System.Text.Json writes UUIDs in the "D" format.
    /// </summary>
    public static string FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var integer) => integer.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    /// <summary>
    /// Parses a key as a URL or a stored definition spells it into a value of <paramref name="type"/>: integers as
    /// ASP.NET Core's route constraints and binders read them (invariant, optional sign and surrounding white space),
    /// UUIDs in any format <see cref="Guid.TryParse(string?, out Guid)"/> reads, strings as they are.
    /// </summary>
    public static bool TryParse(Type type, string text, out object value)
    {
        value = text;
        if (type == typeof(string))
        {
            return true;
        }

        if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
        {
            value = integer;
            return true;
        }

        if (type == typeof(long) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var wide))
        {
            value = wide;
            return true;
        }

        if (type == typeof(Guid) && Guid.TryParse(text, out var uuid))
        {
            value = uuid;
            return true;
        }

        return false;
    }

    /// <summary>
    /// A key value as a value of <paramref name="type"/>: itself when it is one, an <see cref="int"/> widened to a
    /// <see cref="long"/>, or a string parsed with <see cref="TryParse"/>. False when it cannot be one.
    /// </summary>
    public static bool TryConvert(Type type, object value, out object converted)
    {
        converted = value;
        if (value.GetType() == type)
        {
            return true;
        }

        if (type == typeof(long) && value is int integer)
        {
            converted = (long)integer;
            return true;
        }

        return value is string text && TryParse(type, text, out converted);
    }
}
