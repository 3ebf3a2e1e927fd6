using System.Buffers.Text;
using System.Text.Json;

namespace ReactiveRest.Client;

/// <summary>
/// The <c>exp</c> of a JWT, read without validating it (the server validates): only to know when to send a fresh one.
/// Null for anything that is not a JWT with a numeric <c>exp</c>.
/// </summary>
internal static class JwtExpiry
{
    public static DateTimeOffset? Of(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object && payload.RootElement.TryGetProperty("exp", out var exp)
                && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
