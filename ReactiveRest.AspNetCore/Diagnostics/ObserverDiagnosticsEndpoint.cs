using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Diagnostics;

/// <summary>The caller's observers a replica delivers, for developers (see <see cref="MapObserverDiagnostics"/>).</summary>
public static class ObserverDiagnosticsEndpoint
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/diagnostics/observers";

    /// <summary>
    /// <c>GET /diagnostics/observers</c>: the caller's observers this replica delivers, with the caller's subscribers
    /// and the observers' evaluations (what the AppHost's "Show observers" command logs). It needs a token, like the
    /// API, and shows no other user's subscribers or queries: whoever knows a subscriber's id can try to connect as that
    /// subscriber, and a query names boards. In Development only; elsewhere it is not mapped at all.
    /// </summary>
    public static WebApplication MapObserverDiagnostics(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapGet(Path, DescribeAsync).RequireAuthorization().WithName("DescribeObservers").WithTags("Diagnostics")
                .WithSummary("The caller's observers this replica delivers, with the caller's subscribers and the evaluations");
        }

        return app;
    }

    private static async Task<ReplicaDiagnostics> DescribeAsync(
        ClaimsPrincipal principal, DeliveryStatus delivery, ReplicaRegistry replicas, ObserverStore store, SubscriptionService subscriptions)
    {
        var user = Users.Of(principal);
        var observers = new List<ObserverDiagnostics>();
        foreach (var (observer, head, subscribers) in delivery.DescribeFor(user).OrderBy(feed => feed.Observer, StringComparer.Ordinal))
        {
            // Null when the observer was dropped meanwhile, or (never, with the feed's subscribers the user's) is another user's.
            var stats = await store.GetStatsAsync(observer, subscriptions.UrlOf, definition => subscriptions.RunsAs(definition, user));
            observers.Add(new ObserverDiagnostics(observer, stats?.Url, head, subscribers, stats?.Subscribers, stats?.Evaluations, stats?.Changes));
        }

        return new ReplicaDiagnostics(replicas.ReplicaId, delivery.SessionCountOf(user), observers);
    }
}
