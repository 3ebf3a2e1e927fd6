using Microsoft.Extensions.Hosting;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Diagnostics;

/// <summary>
/// The replica's side of the <c>ReactiveRest</c> gauges, read only when metrics are collected: the hot path keeps no
/// extra count for them.
/// </summary>
internal sealed class ReplicaGauges(DeliveryStatus delivery, EvaluationScheduler scheduler, ReactiveMetrics metrics) : IReplicaGauges, IHostedService
{
    public long Subscribers => delivery.SessionCount;

    public long FollowedObservers => delivery.FeedCount;

    public long EvaluatingObservers => scheduler.Running;

    public long LargestBacklog => delivery.LargestBacklog;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveReplica(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
