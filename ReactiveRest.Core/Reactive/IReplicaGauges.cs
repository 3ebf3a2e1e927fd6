namespace ReactiveRest.Engine.Reactive;

/// <summary>What an observers replica reports when its gauges are collected (at the export interval, not per event).</summary>
public interface IReplicaGauges
{
    long Subscribers { get; }

    long FollowedObservers { get; }

    long EvaluatingObservers { get; }

    long LargestBacklog { get; }
}
