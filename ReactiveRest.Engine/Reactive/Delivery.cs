namespace ReactiveRest.Engine.Reactive;

/// <summary>The messages one evaluation owes a new subscriber, computed from the result its own GET returned (its baseline).</summary>
public sealed record Delivery(string SubscriberId, string Baseline, IReadOnlyList<string> Messages);
