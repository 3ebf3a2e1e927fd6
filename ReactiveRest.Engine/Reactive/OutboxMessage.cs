namespace ReactiveRest.Engine.Reactive;

/// <summary>A protocol message waiting in a subscriber's outbox, and the traceparent of the evaluation that made it.</summary>
public sealed record OutboxMessage(string Id, string Message, string TraceParent);
