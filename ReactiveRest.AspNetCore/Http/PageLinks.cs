using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Http;

/// <summary>Builds DRF-style <c>next</c> and <c>previous</c> links: the same request with another offset.</summary>
public static class PageLinks
{
    public static (string? Next, string? Previous) For(HttpRequest request, ListQuery query, int count)
    {
        // long: an offset near int.MaxValue plus the limit must not wrap around.
        var next = (long)query.Offset + query.Limit < count ? Link(request, query.Limit, query.Offset + query.Limit) : null;
        var previous = query.Offset <= 0 ? null : Link(request, query.Limit, Math.Max(0, query.Offset - query.Limit));
        return (next, previous);
    }

    private static string Link(HttpRequest request, int limit, int offset)
    {
        var parameters = request.Query
            .Where(pair => pair.Key is not ListQueryParser.LimitParameter and not ListQueryParser.OffsetParameter)
            .Select(pair => new KeyValuePair<string, StringValues>(pair.Key, pair.Value))
            .Append(new(ListQueryParser.LimitParameter, limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (offset > 0)
        {
            parameters = parameters.Append(new(ListQueryParser.OffsetParameter, offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var path = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path);
        return QueryHelpers.AddQueryString(path, parameters);
    }
}
