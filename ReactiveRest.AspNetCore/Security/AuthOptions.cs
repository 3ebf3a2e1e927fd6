namespace ReactiveRest.Engine.Security;

/// <summary>
/// How the API and the observers authenticate, read from the <c>Auth</c> section. In production an OIDC provider
/// (Entra ID, Keycloak…) issues the tokens: set <see cref="Authority"/> and <see cref="Audience"/>. Without an authority,
/// tokens are signed with <see cref="SigningKey"/>, which the AppHost generates as a secret parameter and which the
/// Development-only <c>POST /api/dev/token</c> uses.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The OIDC issuer whose metadata and keys validate tokens; empty to use <see cref="SigningKey"/>.</summary>
    public string? Authority { get; set; }

    public string Audience { get; set; } = "reactiverest";

    /// <summary>The issuer of tokens signed with <see cref="SigningKey"/>.</summary>
    public string Issuer { get; set; } = "reactiverest";

    /// <summary>The HMAC-SHA256 key of self-issued tokens: at least 32 characters.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The claim that names the user; <c>sub</c> in OIDC.</summary>
    public string UserClaim { get; set; } = "sub";

    /// <summary>The cookie that carries the token for a browser page (resolwe-js style).</summary>
    public string CookieName { get; set; } = "rr_token";

    /// <summary>
    /// Origins (<c>scheme://host:port</c>) from which a cookie-authenticated WebSocket or write is accepted. A request
    /// with a bearer token needs none: a foreign page cannot make the browser send one.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// How long a token from the development endpoint lasts: short (seconds) to watch sockets closed with 4001 at
    /// expiry and clients renewing their tokens.
    /// </summary>
    public TimeSpan DevTokenLifetime { get; set; } = TimeSpan.FromHours(12);
}
