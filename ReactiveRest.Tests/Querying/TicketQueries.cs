using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Tests.Querying;

/// <summary>Ticket queries parsed as the API parses them; a test query that does not parse is a broken test.</summary>
public static class TicketQueries
{
    public static ListQuery Parse(params (string Name, string Value)[] parameters) =>
        Parse(parameters.Select(parameter => KeyValuePair.Create(parameter.Name, parameter.Value)));

    public static ListQuery Parse(IEnumerable<KeyValuePair<string, string>> parameters) =>
        Parse(parameters.Select(parameter => KeyValuePair.Create(parameter.Key, new StringValues(parameter.Value))));

    /// <summary>Splits a query string as ASP.NET Core splits a request's.</summary>
    public static ListQuery ParseQueryString(string queryString) => Parse(QueryHelpers.ParseQuery(queryString));

    private static ListQuery Parse(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var materialized = parameters.ToList();
        var errors = new QueryErrors();
        var query = ListQueryParser.Parse(Ticket.Resource, materialized, errors);
        if (query is null)
        {
            var problems = errors.ToDictionary().Select(error => $"{error.Key}: {string.Join(" ", error.Value)}");
            Assert.Fail($"The query {string.Join("&", materialized.Select(p => $"{p.Key}={p.Value}"))} does not parse: {string.Join("; ", problems)}");
        }

        return query;
    }
}
