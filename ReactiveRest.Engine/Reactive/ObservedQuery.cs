using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// What an observer evaluates: a GET path and its canonical query string (parameters sorted, <c>observe</c> left out),
/// for one principal. Equal queries, whatever the order of their parameters, get the same observer id.
/// </summary>
public sealed record ObservedQuery(string Path, string CanonicalQuery, string Principal)
{
    public const string ObserveParameter = "observe";
    public const string AnonymousPrincipal = "anonymous";

    /// <summary>
    /// Sent by the observers when they re-evaluate a list: the API answers <c>{"items": [...]}</c>, the page alone,
    /// sparing the COUNT(*) and the links a re-evaluation would throw away.
    /// </summary>
    public const string EvaluationHeader = "X-ReactiveRest-Evaluation";

    /// <summary>The URL the observers GET on the API to evaluate the query again.</summary>
    public string Url => CanonicalQuery.Length == 0 ? Path : $"{Path}?{CanonicalQuery}";

    public string ObserverId
    {
        get
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Principal}\n{Path}\n{CanonicalQuery}"));
            return Convert.ToHexStringLower(hash)[..32];
        }
    }

    public static ObservedQuery From(HttpRequest request, string principal = AnonymousPrincipal)
    {
        var path = request.Path.Value is { Length: > 1 } value ? value.TrimEnd('/') : "/";
        var parameters = request.Query
            .Where(pair => pair.Key != ObserveParameter)
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .SelectMany(pair => pair.Value.Select(v => new KeyValuePair<string, string?>(pair.Key, v)));
        var canonical = QueryHelpers.AddQueryString("", parameters).TrimStart('?');
        return new(request.PathBase.Add(path).Value ?? path, canonical, principal);
    }
}
