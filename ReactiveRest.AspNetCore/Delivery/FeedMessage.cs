

namespace ReactiveRest.Engine.Delivery;

/// <summary>One message of an observer's log in a replica's memory, encoded once for every subscriber that follows it.</summary>
internal sealed record FeedMessage(long Seq, string Text, ReadOnlyMemory<byte> Utf8, long CapturedAtMs, PushTrace? Trace);
