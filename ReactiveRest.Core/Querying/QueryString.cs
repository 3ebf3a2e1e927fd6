using Microsoft.Extensions.Primitives;

namespace ReactiveRest.Engine.Querying;

/// <summary>
/// Reads a query string into its parameters exactly as ASP.NET Core reads a request's (<c>QueryHelpers.ParseQuery</c>):
/// split at <c>&amp;</c>, empty parts skipped, a parameter without <c>=</c> has an empty value, <c>+</c> is a space, names are matched
/// without regard to case and keep the spelling first seen. The observers read a stored query with it, so that they
/// parse what the API parsed without depending on ASP.NET Core.
/// </summary>
public static class QueryString
{
    public static Dictionary<string, StringValues> Parse(string? query)
    {
        var parameters = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(query))
        {
            return parameters;
        }

        var text = query.AsSpan(query[0] == '?' ? 1 : 0);
        while (!text.IsEmpty)
        {
            var end = text.IndexOf('&');
            var segment = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..];
            if (segment.IsEmpty)
            {
                continue;
            }

            var equals = segment.IndexOf('=');
            var name = equals < 0 ? segment : segment[..equals];
            var value = equals < 0 ? [] : segment[(equals + 1)..];
            var key = Unescape(name);
            parameters[key] = parameters.TryGetValue(key, out var existing) ? StringValues.Concat(existing, Unescape(value)) : new StringValues(Unescape(value));
        }

        return parameters;
    }

    private static string Unescape(ReadOnlySpan<char> text) => Uri.UnescapeDataString(text.ToString().Replace('+', ' '));
}
