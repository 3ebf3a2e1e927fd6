using System.Text.Json;

namespace ReactiveRest.Engine.Protocol;

/// <summary>The frames a client may send besides the heartbeat (docs/protocol.md, "Client frames").</summary>
public static class ClientMessage
{
    /// <summary>
    /// Whether <paramref name="text"/> is a token frame, <c>{"msg": "token", "token": "…"}</c>: a fresh token for the
    /// open socket. <paramref name="token"/> is null when the frame carries no token string (it gets an error reply).
    /// </summary>
    public static bool IsToken(string text, out string? token)
    {
        token = null;
        if (!text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            // ValueEquals, not GetString: a string with a lone surrogate escape ("\ud800") cannot be decoded and throws.
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("msg", out var msg)
                || msg.ValueKind != JsonValueKind.String || !msg.ValueEquals("token"))
            {
                return false;
            }

            token = root.TryGetProperty("token", out var value) && value.ValueKind == JsonValueKind.String ? StringOrNull(value) : null;
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not JSON, or a "msg" that cannot be decoded: an unsupported message like any other text.
            return false;
        }
    }

    /// <summary>The string, or null when it holds an undecodable escape (no token is such a string).</summary>
    private static string? StringOrNull(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
