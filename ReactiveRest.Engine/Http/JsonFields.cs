using System.Text.Json;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// Reads typed fields out of a JSON object body and collects one error per bad field, so a client learns every
/// problem of a request at once and each is named after its field. Unknown fields are ignored, as DRF does.
/// </summary>
public sealed class JsonFields(JsonElement body)
{
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

        var value = element.GetString()!;
        var problem = value.Trim().Length == 0 ? "Must not be blank."
            : value.Length > maxLength ? $"Must be at most {maxLength} characters long."
            : null;
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
