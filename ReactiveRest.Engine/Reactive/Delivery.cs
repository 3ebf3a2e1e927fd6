namespace ReactiveRest.Engine.Reactive;

/// <summary>The messages one evaluation owes one subscriber, and the baseline they were computed from.</summary>
public sealed record Delivery(string SubscriberId, string Baseline, IReadOnlyList<string> Messages);
