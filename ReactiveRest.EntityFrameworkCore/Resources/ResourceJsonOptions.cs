using System.Text.Json;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// How rows are written as JSON in messages. The observers' messages and the API's answers must agree byte for byte
/// (a client compares the items of both), so the ASP.NET Core layer sets these to its HTTP JSON options.
/// </summary>
public sealed class ResourceJsonOptions
{
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}
