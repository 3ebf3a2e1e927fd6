using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Http;

/// <summary>The list GET of any reactive resource: parse the query string, count, fetch one page, link the neighbours.</summary>
public static class ResourceListing
{
    public static async Task<IResult> ListAsync<TEntity>(
        this IQueryable<TEntity> source,
        ReactiveResource<TEntity> resource,
        HttpRequest request,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        var errors = new QueryErrors();
        if (ListQueryParser.Parse(resource, request.Query, errors) is not { } query)
        {
            return Problems.Validation(errors, "The list query is invalid.");
        }

        var matching = source.AsNoTracking().FilterAndOrder(resource, query);
        var count = await matching.CountAsync(cancellationToken);
        var results = await matching.Page(query).ToListAsync(cancellationToken);
        var (next, previous) = PageLinks.For(request, query, count);
        return TypedResults.Ok(new ListPage<TEntity>(count, next, previous, results));
    }
}
