using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Http;

public static class QueryObserverApi
{
    /// <summary>
    /// <c>POST /api/queryobserver/unsubscribe?observer=&amp;subscriber=</c>, as django-rest-framework-reactive has it;
    /// and <c>GET /api/queryobserver/{observer}</c>, an observer's statistics. Both only for the caller's own
    /// subscribers and observers: anyone else's are 404.
    /// </summary>
    public static IEndpointRouteBuilder MapQueryObserverApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/queryobserver").WithTags("Query observers").RequireAuthorization();
        api.MapPost("/unsubscribe", UnsubscribeAsync).WithName("Unsubscribe").WithSummary("Stop one subscriber's subscription to one observer");
        api.MapGet("/{observer}", GetStatsAsync).WithName("GetObserver").WithSummary("An observer's subscribers and evaluation count");
        return app;
    }

    private static async Task<IResult> UnsubscribeAsync(HttpRequest request, SubscriptionService subscriptions, SubscriberStore subscribers)
    {
        var errors = new QueryErrors();
        var observer = Single(request, "observer", ObserverIds.IsValid, $"An observer id is {ObserverIds.Rule}, given once.", errors);
        var subscriber = Single(request, "subscriber", SubscriberIds.IsValid, $"A subscriber id is {SubscriberIds.Rule}, given once.", errors);
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        return await subscribers.IsOwnedByAsync(subscriber!, Users.Of(request.HttpContext.User))
            && await subscriptions.UnsubscribeAsync(observer!, subscriber!)
            ? TypedResults.Ok(new { observer, subscriber })
            : Problems.Create(StatusCodes.Status404NotFound, "Not found", $"Subscriber '{subscriber}' has no subscription to observer '{observer}'.");
    }

    private static async Task<IResult> GetStatsAsync(string observer, HttpContext context, ObserverStore store, SubscriptionService subscriptions) =>
        !ObserverIds.IsValid(observer)
            ? Problems.Create(StatusCodes.Status400BadRequest, "Bad observer id", $"An observer id is {ObserverIds.Rule}.")
            : await store.GetStatsAsync(observer, subscriptions.UrlOf, definition => subscriptions.RunsAs(definition, Users.Of(context.User))) is { } stats
                ? TypedResults.Ok(stats)
                : Problems.Create(StatusCodes.Status404NotFound, "Not found", $"Observer '{observer}' does not exist.");

    private static string? Single(HttpRequest request, string name, Func<string?, bool> isValid, string rule, QueryErrors errors)
    {
        var values = request.Query[name];
        if (values.Count == 1 && isValid(values[0]))
        {
            return values[0];
        }

        errors.Add(name, values.Count == 0 ? "This parameter is required." : rule);
        return null;
    }
}
