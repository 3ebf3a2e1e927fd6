using System.Text.Json;

namespace ReactiveRest.Engine.Protocol;

/// <summary>
/// One item of a query result: its primary key in canonical text (<see cref="KeyText"/>, so that int, long, UUID and
/// string keys diff alike) and its JSON exactly as the API serializes it.
/// </summary>
public sealed record ObservedItem(string Key, string Json)
{
    public const string PrimaryKey = "id";

    public static ObservedItem From(JsonElement item) => new(KeyText.FromJson(item.GetProperty(PrimaryKey)), item.GetRawText());

    public static IReadOnlyList<ObservedItem> ListFrom(JsonElement array) => [.. array.EnumerateArray().Select(From)];

    public static string ToJsonArray(IEnumerable<ObservedItem> items) => "[" + string.Join(',', items.Select(item => item.Json)) + "]";

    public static IReadOnlyList<ObservedItem> ParseArray(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ListFrom(document.RootElement);
    }
}
