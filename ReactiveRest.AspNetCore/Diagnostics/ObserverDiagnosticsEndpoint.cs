using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Diagnostics;

/// <summary>The observers a replica delivers, for developers (see <see cref="MapObserverDiagnostics"/>).</summary>
public static class ObserverDiagnosticsEndpoint
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/diagnostics/observers";

    /// <summary>
    /// <c>GET /diagnostics/observers</c>: the observers this replica delivers, with their subscribers and evaluations
    /// (what the AppHost's "Show observers" command logs). In Development only: it names subscribers, and whoever knows
    /// a subscriber's id can connect as that subscriber.
    /// </summary>
    public static WebApplication MapObserverDiagnostics(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapGet(Path, DescribeAsync).WithName("DescribeObservers").WithTags("Diagnostics")
                .WithSummary("The observers this replica delivers, with their subscribers and evaluations");
        }

        return app;
    }

    private static async Task<ReplicaDiagnostics> DescribeAsync(
        DeliveryStatus delivery, ReplicaRegistry replicas, ObserverStore store, SubscriptionService subscriptions)
    {
        var observers = new List<ObserverDiagnostics>();
        foreach (var (observer, head, subscribers) in delivery.Describe().OrderBy(feed => feed.Observer, StringComparer.Ordinal))
        {
            var stats = await store.GetStatsAsync(observer, subscriptions.UrlOf, _ => true);
            observers.Add(new ObserverDiagnostics(observer, stats?.Url, head, subscribers, stats?.Subscribers, stats?.Evaluations, stats?.Changes));
        }

        return new ReplicaDiagnostics(replicas.ReplicaId, delivery.SessionCount, observers);
    }
}
