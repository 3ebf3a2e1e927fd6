using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// Reads typed fields out of a JSON object body and collects one error per bad field, so a client learns every
/// problem of a request at once and each is named after its field. Unknown fields are ignored, as DRF does.
/// </summary>
public sealed class JsonFields(JsonElement body)
{
    public const string InvalidUtf8Error = "Must be valid UTF-8 text.";

    public QueryErrors Errors { get; } = new();

    public bool Has(string name) => body.TryGetProperty(name, out _);

    public string? String(string name, bool required, int maxLength)
    {
        if (!TryGet(name, required, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            Fail(name, "Must be a string.");
            return null;
        }

        if (!TryReadText(element, out var value, out var problem))
        {
            Fail(name, problem);
            return null;
        }

        problem = StorableText.ProblemWith(value)
            ?? (value.Trim().Length == 0 ? "Must not be blank."
            : value.Length > maxLength ? $"Must be at most {maxLength} characters long."
            : null);
        if (problem is null)
        {
            return value;
        }

        Fail(name, problem);
        return null;
    }

    public int? Integer(string name, bool required, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!TryGet(name, required, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            return Fail<int>(name, "Must be a 32-bit integer.");
        }

        return value < min ? Fail<int>(name, $"Must be at least {min}.")
            : value > max ? Fail<int>(name, $"Must be at most {max}.")
            : value;
    }

    public long? Long(string name, bool required)
    {
        if (!TryGet(name, required, out var element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value)
            ? value
            : Fail<long>(name, "Must be a 64-bit integer.");
    }

    /// <summary>A UUID, as a JSON string in any format <see cref="System.Guid.TryParse(string?, out System.Guid)"/> reads.</summary>
    public Guid? Uuid(string name, bool required)
    {
        if (!TryGet(name, required, out var element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.String && TryReadText(element, out var text, out _) && System.Guid.TryParse(text, out var value)
            ? value
            : Fail<Guid>(name, "Must be a UUID string, such as \"0f8fad5b-d9cb-469f-a165-70867728950e\".");
    }

    public bool? Boolean(string name, bool required)
    {
        if (!TryGet(name, required, out var element))
        {
            return null;
        }

        return element.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? element.GetBoolean()
            : Fail<bool>(name, "Must be true or false.");
    }

    public void Fail(string name, string message) => Errors.Add(name, message);

    /// <summary>
    /// JsonDocument accepts string values that are not UTF-8 and \u escapes that leave a surrogate unpaired; both make
    /// <see cref="JsonElement.GetString"/> throw, so they are told apart here to be reported against their field.
    /// </summary>
    private static bool TryReadText(JsonElement element, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? problem)
    {
        text = problem = null;
        if (!Utf8.IsValid(JsonMarshal.GetRawUtf8Value(element)))
        {
            problem = InvalidUtf8Error;
            return false;
        }

        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // The bytes are UTF-8, so what is left to fail is an escaped lone surrogate.
            problem = StorableText.LoneSurrogateError;
            return false;
        }
    }

    private bool TryGet(string name, bool required, out JsonElement element)
    {
        if (body.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required || element.ValueKind == JsonValueKind.Null)
        {
            Errors.Add(name, required ? "This field is required." : "Must not be null.");
        }

        return false;
    }

    private T? Fail<T>(string name, string message) where T : struct
    {
        Errors.Add(name, message);
        return null;
    }
}
