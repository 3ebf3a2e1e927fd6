using System.Text.Json;
using ReactiveRest.Engine.Diffing;

namespace ReactiveRest.Engine.Protocol;

/// <summary>The messages of the reactive protocol (docs/protocol.md), each sent as one WebSocket text frame.</summary>
public static class ProtocolMessage
{
    /// <summary>django-websocket-redis clients send this and expect it echoed.</summary>
    public const string Heartbeat = "--heartbeat--";

    /// <summary>
    /// The django-rest-framework-reactive message for one item, plus <c>seq</c>, its position in the observer's log,
    /// which clients that do not resume ignore.
    /// </summary>
    /// <param name="resync">Part of a resync run (see <see cref="Resync"/>), flagged so a client tells it from a gap.</param>
    public static string Serialize(string observerId, ItemChange<ObservedItem> change, long seq, bool resync = false)
    {
        var kind = change.Kind switch
        {
            ChangeKind.Added => "added",
            ChangeKind.Changed => "changed",
            _ => "removed",
        };
        return resync
            ? $$"""{"msg":"{{kind}}","observer":"{{observerId}}","primary_key":"{{ObservedItem.PrimaryKey}}","order":{{change.Order}},"item":{{change.Item.Json}},"seq":{{seq}},"resync":true}"""
            : $$"""{"msg":"{{kind}}","observer":"{{observerId}}","primary_key":"{{ObservedItem.PrimaryKey}}","order":{{change.Order}},"item":{{change.Item.Json}},"seq":{{seq}}}""";
    }

    /// <summary>The messages that turn <paramref name="previous"/> into <paramref name="next"/>, removed ones first, numbered from <paramref name="firstSeq"/>.</summary>
    public static IReadOnlyList<string> Diff(string observerId, IReadOnlyList<ObservedItem> previous, IReadOnlyList<ObservedItem> next, long firstSeq)
    {
        var changes = OrderedDiff.Compute(previous, next, item => item.Key, (a, b) => a.Json == b.Json);
        var messages = new string[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            messages[i] = Serialize(observerId, changes[i], firstSeq + i);
        }

        return messages;
    }

    /// <summary>
    /// One diff that replaces a backlog a subscriber could no longer be sent (a resync run): every message carries
    /// <c>"resync": true</c>; all carry seq -1, not a position one can resume from, except the last, which carries
    /// <paramref name="targetSeq"/>, the position the run brings the subscriber's list to. Empty when the lists are equal.
    /// </summary>
    public static IReadOnlyList<string> Resync(string observerId, IReadOnlyList<ObservedItem> previous, IReadOnlyList<ObservedItem> next, long targetSeq)
    {
        var changes = OrderedDiff.Compute(previous, next, item => item.Key, (a, b) => a.Json == b.Json);
        var messages = new string[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            messages[i] = Serialize(observerId, changes[i], i == changes.Count - 1 ? targetSeq : -1, resync: true);
        }

        return messages;
    }

    /// <summary>
    /// The observer cannot be continued for this subscriber (its subscription ended, or where it stood is unknown):
    /// the client must observe the query again with a GET.
    /// </summary>
    public static string Expired(string observerId, string reason) =>
        $$"""{"msg":"expired","observer":"{{observerId}}","reason":"{{reason}}"}""";

    /// <summary>The answer to a token frame whose token was accepted: the socket stays open until it expires.</summary>
    public static string TokenAccepted(DateTimeOffset expires) =>
        $$"""{"msg":"token","expires":"{{expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}}"}""";

    /// <summary>An answer to a client frame that is not part of the protocol.</summary>
    public static string Error(string error, string detail) =>
        $$"""{"msg":"error","error":{{JsonSerializer.Serialize(error)}},"detail":{{JsonSerializer.Serialize(detail)}}}""";
}
