using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReactiveRest.Client;

/// <summary><c>added</c>, <c>changed</c> or <c>removed</c>: one item of one evaluation of an observer.</summary>
/// <param name="Order">The index in the new result (added, changed) or in the previous one (removed).</param>
/// <param name="Seq">The position in the observer's log; -1 inside a resync run, except on its last message.</param>
internal sealed record ChangeMessage(
    string Msg,
    string Observer,
    [property: JsonPropertyName("primary_key")] string PrimaryKey,
    int Order,
    JsonElement Item,
    long Seq,
    bool Resync = false) : ServerMessage;
