

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// One frame waiting to be sent on a subscriber's WebSocket: a protocol message of an observer (its bytes encoded once
/// for every subscriber), or a reply to the client (no cursor).
/// </summary>
internal readonly record struct Outgoing(ReadOnlyMemory<byte> Utf8, Cursor? Cursor, long Seq, long CapturedAtMs, PushTrace? Trace);
