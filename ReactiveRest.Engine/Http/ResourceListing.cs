using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// The GETs of any reactive resource, list and detail. With <c>observe={subscriber}</c> the same evaluation becomes the
/// first result of an observer: the answer is <c>{"observer", "items"}</c> and later changes go to the subscriber.
/// </summary>
public static class ResourceListing
{
    private static readonly HashSet<string> ObserveOnly = [ObservedQuery.ObserveParameter];

    public static async Task<IResult> ListAsync<TEntity>(
        this IQueryable<TEntity> source,
        ReactiveResource<TEntity> resource,
        HttpRequest request,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        var errors = new QueryErrors();
        var subscriber = ReadSubscriber(request, errors);
        if (ListQueryParser.Parse(resource, request.Query, errors, ObserveOnly) is not { } query || errors.Any)
        {
            return Problems.Validation(errors, "The list query is invalid.");
        }

        var matching = source.AsNoTracking().FilterAndOrder(resource, query);
        if (subscriber is not null || request.Headers.ContainsKey(ObservedQuery.EvaluationHeader))
        {
            // Observing and re-evaluating need the page only: no COUNT(*), no links.
            var page = await matching.Page(query).ToListAsync(cancellationToken);
            return subscriber is null
                ? TypedResults.Ok(new EvaluatedPage<TEntity>(page))
                : await ObserveAsync(request, subscriber, resource.DependencyKeys(query), page);
        }

        var count = await matching.CountAsync(cancellationToken);
        var results = await matching.Page(query).ToListAsync(cancellationToken);
        var (next, previous) = PageLinks.For(request, query, count);
        return TypedResults.Ok(new ListPage<TEntity>(count, next, previous, results));
    }

    public static async Task<IResult> GetAsync<TEntity>(
        this IQueryable<TEntity> source,
        ReactiveResource<TEntity> resource,
        int id,
        string what,
        HttpRequest request,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        var errors = new QueryErrors();
        var subscriber = ReadSubscriber(request, errors);
        foreach (var name in request.Query.Keys.Where(name => name != ObservedQuery.ObserveParameter))
        {
            errors.Add(name, "A detail GET takes no parameters but 'observe'.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var keyEquals = Expression.Lambda<Func<TEntity, bool>>(
            Expression.Equal(resource.Key.Accessor.Body, Expression.Constant(id)), resource.Key.Accessor.Parameters);
        if (await source.AsNoTracking().FirstOrDefaultAsync(keyEquals, cancellationToken) is not { } item)
        {
            return Problems.NotFound(what, id);
        }

        return subscriber is null
            ? TypedResults.Ok(item)
            : await ObserveAsync(request, subscriber, [resource.ItemKey(id)], [item]);
    }

    private static string? ReadSubscriber(HttpRequest request, QueryErrors errors)
    {
        if (!request.Query.TryGetValue(ObservedQuery.ObserveParameter, out var values))
        {
            return null;
        }

        if (values.Count != 1 || !SubscriberIds.IsValid(values[0]))
        {
            errors.Add(ObservedQuery.ObserveParameter, $"A subscriber id is {SubscriberIds.Rule}, given once.");
            return null;
        }

        return values[0];
    }

    private static async Task<IResult> ObserveAsync<TEntity>(HttpRequest request, string subscriber, IReadOnlyList<string> dependencies, IReadOnlyList<TEntity> items)
    {
        var services = request.HttpContext.RequestServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var observed = ObservedItem.ListFrom(JsonSerializer.SerializeToElement(items, json));
        var query = ObservedQuery.From(request);
        var observerId = query.ObserverId;
        // Redis being unreachable surfaces as a 503 through DependencyUnavailableExceptionHandler.
        await services.GetRequiredService<ObserverStore>().SubscribeAsync(observerId, subscriber, query, dependencies, observed);

        var body = $$"""{"observer":{{JsonSerializer.Serialize(observerId)}},"items":{{ObservedItem.ToJsonArray(observed)}}}""";
        return TypedResults.Text(body, "application/json", System.Text.Encoding.UTF8);
    }
}
