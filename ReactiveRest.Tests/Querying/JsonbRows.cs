using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReactiveRest.Tests.Querying;

/// <summary>Rows as PostgreSQL's <c>to_jsonb(row)</c> writes them, keyed by the resource's field names.</summary>
public static class JsonbRows
{
    /// <param name="offset">The session time zone's offset, in which PostgreSQL writes timestamptz.</param>
    /// <param name="trimFraction">PostgreSQL drops trailing zeros of the fraction, and the fraction when it is zero.</param>
    public static IReadOnlyDictionary<string, JsonElement> Of(Ticket ticket, TimeSpan offset, bool trimFraction)
    {
        var format = trimFraction ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz" : "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz";
        var json = new JsonObject
        {
            ["id"] = ticket.Id,
            ["queue"] = ticket.Queue,
            ["title"] = ticket.Title,
            ["open"] = ticket.Open,
            ["rank"] = ticket.Rank,
            ["dueAt"] = ticket.DueAt.ToOffset(offset).ToString(format, CultureInfo.InvariantCulture),
        }.ToJsonString();
        return Parse(json);
    }

    public static IReadOnlyDictionary<string, JsonElement> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.Clone());
    }
}
