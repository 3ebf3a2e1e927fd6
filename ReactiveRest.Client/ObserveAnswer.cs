using System.Text.Json;

namespace ReactiveRest.Client;

/// <summary>The answer to a GET with <c>observe=</c>: the items, and their position in the observer's log.</summary>
internal sealed record ObserveAnswer(string Observer, IReadOnlyList<JsonElement> Items, long Seq);
