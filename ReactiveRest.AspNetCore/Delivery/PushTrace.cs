

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// The trace of the evaluation whose messages are being pushed, shared by every socket that sends them. Only the first
/// few sockets record a <c>push to subscriber</c> span: one write fanned out to ten thousand sockets would otherwise
/// make ten thousand spans, costing more than the sends.
/// </summary>
internal sealed class PushTrace(string traceParent)
{
    public const int MaxSpans = 4;

    private int _spans;

    public string TraceParent { get; } = traceParent;

    /// <summary>Whether the caller may record a span (true for the first <see cref="MaxSpans"/> callers).</summary>
    public bool TakeSpan() => Interlocked.Increment(ref _spans) <= MaxSpans;
}
