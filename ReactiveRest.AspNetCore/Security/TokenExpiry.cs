using Microsoft.AspNetCore.Http;

namespace ReactiveRest.Engine.Security;

/// <summary>
/// When the token a WebSocket upgrade authenticated with expires: kept beside the request, since the principal the
/// authentication keeps names the user only (see <see cref="AuthenticationExtensions"/>), and the socket must be closed
/// (4001) once its token is no longer valid.
/// </summary>
public static class TokenExpiry
{
    private static readonly object Key = new();

    internal static void Remember(HttpContext context, DateTime validTo)
    {
        // A token without exp (DateTime.MinValue) is refused by the validation before this; kept out all the same.
        if (validTo > DateTime.MinValue)
        {
            context.Items[Key] = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        }
    }

    /// <summary>When the request's token expires; null when it was not authenticated by a token with an expiry.</summary>
    public static DateTimeOffset? Of(HttpContext context) => context.Items.TryGetValue(Key, out var expires) ? (DateTimeOffset?)expires : null;
}
