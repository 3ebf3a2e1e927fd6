using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// What an observer evaluates, in canonical form: a resource, either one item (<see cref="Id"/>) or a list query
/// (<see cref="Query"/>, canonical so that every spelling of the same query is one observer), for one user (<see cref="Principal"/>), whose rights every evaluation applies.
/// Its <see cref="ToDefinition">definition</see> is what Redis stores; it never changes for an observer.
/// </summary>
/// <param name="Id">A detail's key, a value of the resource's key type (int, long, Guid or string); null for a list.</param>
public sealed record ObserverQuery(string Resource, string Path, object? Id, string Query, string Principal)
{
    /// <summary>The parsed list query, for evaluation and for matching changes; null for a detail.</summary>
    [JsonIgnore]
    public ListQuery? List { get; init; }

    /// <summary>A detail's key in canonical text (<see cref="KeyText"/>), made once: every change matched against the observer compares it.</summary>
    [JsonIgnore]
    public string? IdText { get; } = Id is { } key ? KeyText.Of(key) : null;

    /// <summary>The GET this observer answers, in canonical form (the key in <see cref="KeyText"/>, URL-escaped).</summary>
    public string Url => IdText is { } id ? $"{Path}/{Uri.EscapeDataString(id)}" : $"{Path}?{Query}";

    /// <summary>
    /// The observer's id: a keyed hash of the user and the canonical GET, so every spelling of one query by one user is
    /// one observer, and nobody without the key can compute the id of another user's observer.
    /// </summary>
    public string ObserverIdWith(string secret)
    {
        // Length-prefixed, so no user name can make two different (user, query) pairs hash the same text.
        var text = $"{Principal.Length}:{Principal}\n{Url}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)))[..32];
    }

    public static ObserverQuery ForList(IReactiveResource resource, ListQuery list, string principal) =>
        new(resource.Name, resource.Path, null, CanonicalQuery.Of(list), principal) { List = list };

    /// <summary>The observer of one item.</summary>
    /// <param name="id">Its key: a value of the resource's key type, an int for a long key, or the key's text.</param>
    /// <exception cref="ArgumentException">The id cannot be a key of the resource.</exception>
    public static ObserverQuery ForItem(IReactiveResource resource, object id, string principal) =>
        KeyText.TryConvert(resource.KeyType, id, out var key)
            ? new(resource.Name, resource.Path, key, "", principal)
            : throw new ArgumentException($"'{id}' is not a key of {resource.Name}, whose keys are {resource.KeyType.Name}.", nameof(id));

    public string ToDefinition() => JsonSerializer.Serialize(new Definition(Resource, StoredKey(Id), Query, Principal), DefinitionJson.Default.Definition);

    /// <summary>The query an observer's stored definition describes, or null when it names no known resource.</summary>
    public static ObserverQuery? FromDefinition(string definition, ResourceCatalog catalog)
    {
        var stored = JsonSerializer.Deserialize(definition, DefinitionJson.Default.Definition);
        if (stored is null || catalog.Find(stored.Resource) is not { } resource)
        {
            return null;
        }

        if (stored.Id is { } id)
        {
            return KeyText.FromJson(id, resource.KeyType) is { } text && KeyText.TryParse(resource.KeyType, text, out var key)
                ? new ObserverQuery(resource.Name, resource.Path, key, "", stored.Principal)
                : null;
        }

        var errors = new QueryErrors();
        var list = resource.ParseQuery(QueryString.Parse(stored.Query), errors);
        return list is null ? null : new ObserverQuery(resource.Name, resource.Path, null, stored.Query, stored.Principal) { List = list };
    }

    /// <summary>Integer keys are stored as JSON numbers (as int keys always were), the others as strings.</summary>
    private static JsonElement? StoredKey(object? id)
    {
        if (id is null)
        {
            return null;
        }

        var json = id is int or long ? KeyText.Of(id) : JsonSerializer.Serialize(KeyText.Of(id), DefinitionJson.Default.String);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    internal sealed record Definition(string Resource, JsonElement? Id, string Query, string Principal);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ObserverQuery.Definition))]
[JsonSerializable(typeof(string))]
internal sealed partial class DefinitionJson : JsonSerializerContext;
