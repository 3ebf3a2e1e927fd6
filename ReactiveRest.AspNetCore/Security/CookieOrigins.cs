using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ReactiveRest.Engine.Security;

/// <summary>
/// A browser sends a site's cookie whichever page makes the request, so a request authenticated by cookie that can
/// change something (a write) or listen (a WebSocket) is accepted only from an allowed Origin, or the service's own.
/// A bearer token needs no such check: a foreign page cannot make the browser send it.
/// </summary>
public sealed class CookieOrigins(IOptions<AuthOptions> options)
{
    private const string CookieAuthenticatedItem = "ReactiveRest.CookieAuthenticated";

    private readonly HashSet<string> _allowed = new(options.Value.AllowedOrigins.Select(Normalize), StringComparer.OrdinalIgnoreCase);

    internal static void MarkCookieAuthenticated(HttpContext context) => context.Items[CookieAuthenticatedItem] = true;

    public bool Refuses(HttpContext context)
    {
        if (!context.Items.ContainsKey(CookieAuthenticatedItem) || context.User.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        var request = context.Request;
        var listensOrWrites = context.WebSockets.IsWebSocketRequest || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if (!listensOrWrites)
        {
            return false;
        }

        // No Origin at all is refused too: every browser sends one on a WebSocket and on a cross-site write.
        var origin = Normalize(request.Headers.Origin.ToString());
        return origin.Length == 0 || !(_allowed.Contains(origin) || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase));
    }

    private static string Normalize(string origin) => origin.Trim().TrimEnd('/');
}
