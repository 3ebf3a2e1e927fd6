using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// The GETs of any reactive resource, list and detail, as the authenticated user sees it. With
/// <c>observe={subscriber}</c> the same read becomes the subscriber's first result of the query's observer (the user's
/// own): the answer is <c>{"observer", "items", "seq"}</c> and later changes go to the subscriber's WebSocket.
/// </summary>
public static class ResourceListing
{
    public const string ObserveParameter = "observe";

    private static readonly HashSet<string> ObserveOnly = [ObserveParameter];

    public static async Task<IResult> ListAsync<TEntity>(this DbContext db, ReactiveResource<TEntity> resource, HttpRequest request, CancellationToken cancellationToken)
        where TEntity : class
    {
        var errors = new QueryErrors();
        foreach (var name in RawQueryString.InvalidUtf8Parameters(request.QueryString.Value))
        {
            errors.Add(name, RawQueryString.InvalidUtf8Error);
        }

        var subscriber = ReadSubscriber(request, errors);
        if (resource.ParseQuery(request.Query, errors, ObserveOnly) is not { } query || errors.Any)
        {
            return Problems.Validation(errors, "The list query is invalid.");
        }

        var user = Users.Of(request.HttpContext.User);
        if (subscriber is not null)
        {
            return await ObserveAsync(db, resource, ObserverQuery.ForList(resource, query, user), subscriber, request, cancellationToken);
        }

        var matching = resource.Source(db, user).FilterAndOrder(resource, query);
        var count = await matching.CountAsync(cancellationToken);
        var results = await matching.Page(query).ToListAsync(cancellationToken);
        var (next, previous) = PageLinks.For(request, query, count);
        return TypedResults.Ok(new ListPage<TEntity>(count, next, previous, results));
    }

    /// <param name="id">The key: a value of the resource's key type (<see cref="ReactiveResource{TEntity}.TryParseKey"/> reads one from a URL).</param>
    public static async Task<IResult> GetAsync<TEntity>(this DbContext db, ReactiveResource<TEntity> resource, object id, string what, HttpRequest request, CancellationToken cancellationToken)
        where TEntity : class
    {
        var errors = new QueryErrors();
        var subscriber = ReadSubscriber(request, errors);
        foreach (var name in request.Query.Keys.Where(name => name != ObserveParameter))
        {
            errors.Add(name, $"A detail GET takes no parameters but '{ObserveParameter}'.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var user = Users.Of(request.HttpContext.User);
        if (subscriber is not null)
        {
            return await ObserveAsync(db, resource, ObserverQuery.ForItem(resource, id, user), subscriber, request, cancellationToken, notFound: Problems.NotFound(what, id));
        }

        // Another user's row is "not found", not "forbidden": its existence does not leak.
        return await resource.Source(db, user).FirstOrDefaultAsync(resource.KeyEquals(id), cancellationToken) is { } item
            ? TypedResults.Ok(item)
            : Problems.NotFound(what, id);
    }

    private static string? ReadSubscriber(HttpRequest request, QueryErrors errors)
    {
        if (!request.Query.TryGetValue(ObserveParameter, out var values))
        {
            return null;
        }

        if (values.Count != 1 || !SubscriberIds.IsValid(values[0]))
        {
            errors.Add(ObserveParameter, $"A subscriber id is {SubscriberIds.Rule}, given once.");
            return null;
        }

        return values[0];
    }

    /// <param name="notFound">For a detail: the answer when the item does not exist (nothing is subscribed then).</param>
    private static async Task<IResult> ObserveAsync(
        DbContext db, IReactiveResource resource, ObserverQuery query, string subscriber, HttpRequest request, CancellationToken cancellationToken, IResult? notFound = null)
    {
        var services = request.HttpContext.RequestServices;
        var observe = services.GetRequiredService<ObserveService>();
        var observerId = observe.ObserverIdOf(query);
        var (ownership, refusal) = await observe.OwnAsync(query, observerId, subscriber);
        switch (ownership)
        {
            case Ownership.Foreign:
                // As for any other user's thing: not found, so that the id's existence does not leak.
                return Problems.Create(StatusCodes.Status404NotFound, "Not found", $"Subscriber '{subscriber}' does not exist.");
            case Ownership.AtObserverLimit:
                return Problems.Create(StatusCodes.Status429TooManyRequests, "Too many observers",
                    $"A subscriber may observe at most {services.GetRequiredService<IOptions<Reactive.ReactiveOptions>>().Value.MaxObserversPerSubscriber} queries at once; unsubscribe from some first.");
        }

        if (refusal is not null)
        {
            return QuotaProblems.Refused(request.HttpContext, query.Principal, refusal);
        }

        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var items = await resource.EvaluateAsync(db, query, json, cancellationToken);
        if (notFound is not null && items.Count == 0)
        {
            return notFound;
        }

        var itemsJson = ObservedItem.ToJsonArray(items);
        if (await observe.StoreAsync(query, observerId, itemsJson) is { } tooBig)
        {
            return QuotaProblems.Refused(request.HttpContext, query.Principal, tooBig);
        }

        Observed observed;
        try
        {
            // Redis being unreachable surfaces as a 503 through DependencyUnavailableExceptionHandler.
            observed = await observe.ObserveAsync(resource, query, observerId, subscriber, items, cancellationToken, itemsJson);
        }
        catch (Exception exception) when (exception is TimeoutException or ObserverGoneException)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "The observer is busy; retry shortly.");
        }

        var body = $$"""{"observer":"{{observed.ObserverId}}","items":{{observed.ItemsJson ?? ObservedItem.ToJsonArray(observed.Items)}},"seq":{{observed.Seq}}}""";
        return TypedResults.Text(body, "application/json", System.Text.Encoding.UTF8);
    }
}
