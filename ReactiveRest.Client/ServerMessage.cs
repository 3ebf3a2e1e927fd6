using System.Text.Json;

namespace ReactiveRest.Client;

/// <summary>A text frame from the observers, parsed; anything else the server may send (the heartbeat echo) is <c>null</c>.</summary>
internal abstract record ServerMessage
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ServerMessage? Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray());
            var root = document.RootElement;
            if (!root.TryGetProperty("msg", out var kind) || kind.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            return kind.GetString() switch
            {
                "added" or "changed" or "removed" => root.Deserialize<ChangeMessage>(Json),
                "expired" => root.Deserialize<ExpiredMessage>(Json),
                "error" => root.Deserialize<ErrorMessage>(Json),
                _ => null,
            };
        }
        catch (JsonException)
        {
            // A frame this client does not understand is not a reason to drop the connection.
            return null;
        }
    }
}
