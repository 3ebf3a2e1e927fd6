using System.Text.Json;
using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Engine.Reactive;

/// <summary>The django-rest-framework-reactive message for one item, as sent in one WebSocket text frame.</summary>
public static class ProtocolMessage
{
    public static string Serialize(string observerId, ItemChange<ObservedItem> change)
    {
        var kind = change.Kind switch
        {
            ChangeKind.Added => "added",
            ChangeKind.Changed => "changed",
            _ => "removed",
        };
        return $$"""{"msg":"{{kind}}","observer":{{JsonSerializer.Serialize(observerId)}},"primary_key":"{{ObservedItem.PrimaryKey}}","order":{{change.Order}},"item":{{change.Item.Json}}}""";
    }

    /// <summary>The messages that turn <paramref name="previous"/> into <paramref name="next"/>, removed ones first.</summary>
    public static IReadOnlyList<string> Diff(string observerId, IReadOnlyList<ObservedItem> previous, IReadOnlyList<ObservedItem> next) =>
        [.. OrderedDiff.Compute(previous, next, item => item.Key, (a, b) => a.Json == b.Json).Select(change => Serialize(observerId, change))];

    /// <summary>An answer to a client frame that is not part of the protocol.</summary>
    public static string Error(string error, string detail) =>
        $$"""{"msg":"error","error":{{JsonSerializer.Serialize(error)}},"detail":{{JsonSerializer.Serialize(detail)}}}""";

    /// <summary>django-websocket-redis clients send this and expect it echoed.</summary>
    public const string Heartbeat = "--heartbeat--";
}
