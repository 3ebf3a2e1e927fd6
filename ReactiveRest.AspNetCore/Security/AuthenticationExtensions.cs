using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ReactiveRest.Engine.Security;

public static class AuthenticationExtensions
{
    /// <summary>Where a WebSocket carries its token: browsers cannot set headers on a WebSocket.</summary>
    public const string AccessTokenParameter = "access_token";

    /// <summary>
    /// JWT bearer authentication, the same in the API and the observers: the token comes from the Authorization
    /// header, from <c>access_token</c> on a WebSocket request, or from the cookie a browser page holds (then the
    /// request's Origin is checked, see <see cref="UseReactiveSecurity"/>). Failures answer 401/403 problem details.
    /// </summary>
    public static IHostApplicationBuilder AddReactiveAuthentication(this IHostApplicationBuilder builder)
    {
        // Once per process: an application that serves both the API and the observers' WebSockets calls it twice.
        if (builder.Services.Any(service => service.ServiceType == typeof(CookieOrigins)))
        {
            return builder;
        }

        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .Validate(auth => !string.IsNullOrWhiteSpace(auth.Authority) || auth.SigningKey is { Length: >= 32 },
                "Auth: set Authority (an OIDC issuer) or a SigningKey of at least 32 characters.")
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, options) => Configure(jwt, options.Value));
        // A token without the user claim names nobody: 403, rather than a request that runs as no one.
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<AuthorizationOptions>().Configure<IOptions<AuthOptions>>((authorization, options) =>
            authorization.DefaultPolicy = new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(options.Value.UserClaim)
                .Build());
        builder.Services.AddSingleton<CookieOrigins>();
        builder.Services.AddSingleton<SocketTokenValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddRequestLimits();
        return builder;
    }

    /// <summary>Authentication, the Origin check of cookie-authenticated requests, authorization, then the per-user rate limits.</summary>
    public static WebApplication UseReactiveSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            if (context.RequestServices.GetRequiredService<CookieOrigins>().Refuses(context))
            {
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden origin",
                    "A request authenticated by cookie must come from an allowed Origin; send a bearer token instead, or add the origin to Auth:AllowedOrigins.");
                return;
            }

            await next(context);
        });
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    public static SymmetricSecurityKey SigningKeyOf(AuthOptions options) =>
        new(Encoding.UTF8.GetBytes(options.SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is not set.")));

    private static void Configure(JwtBearerOptions jwt, AuthOptions options)
    {
        // Claims keep their JWT names ('sub', not a long URI), so the configured user claim is found as written.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = options.UserClaim;
        jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        if (!string.IsNullOrWhiteSpace(options.Authority))
        {
            jwt.Authority = options.Authority;
            jwt.Audience = options.Audience;
            // A local Keycloak is often plain HTTP; anything public is HTTPS.
            jwt.RequireHttpsMetadata = options.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            jwt.TokenValidationParameters.ValidIssuer = options.Issuer;
            jwt.TokenValidationParameters.ValidAudience = options.Audience;
            jwt.TokenValidationParameters.IssuerSigningKey = SigningKeyOf(options);
        }

        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                var request = context.Request;
                if (request.Headers.Authorization.Count > 0)
                {
                    return Task.CompletedTask;
                }

                if (context.HttpContext.WebSockets.IsWebSocketRequest && request.Query[AccessTokenParameter] is { Count: 1 } query)
                {
                    context.Token = query[0];
                }
                else if (request.Cookies.TryGetValue(options.CookieName, out var cookie) && cookie.Length > 0)
                {
                    context.Token = cookie;
                    CookieOrigins.MarkCookieAuthenticated(context.HttpContext);
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                // A validly signed token must still name a user that can own rows: not empty, not longer than a
                // membership can store, no control characters or broken UTF-16.
                if (context.Principal?.Identity?.Name is not { Length: > 0 and <= Users.MaxLength } name
                    || name.Any(char.IsControl) || Querying.StorableText.ProblemWith(name) is not null)
                {
                    context.Fail($"The token's '{options.UserClaim}' claim names no valid user.");
                }
                else
                {
                    // Nothing here reads any other claim, and a request keeps its principal as long as it lives: for a
                    // WebSocket, hours (the validated token and its dozen claims were about 4 KB per connection,
                    // measured with dotnet-gcdump at 10,000).
                    context.Principal = Users.PrincipalFor(name, options.UserClaim, context.Principal.Identity.AuthenticationType);
                    if (context.HttpContext.WebSockets.IsWebSocketRequest)
                    {
                        // The socket is closed with 4001 when its token expires: its expiry outlives the claims.
                        TokenExpiry.Remember(context.HttpContext, context.SecurityToken.ValidTo);
                    }
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                    context.AuthenticateFailure is null
                        ? "This request needs a bearer token (Authorization header, access_token on a WebSocket, or the session cookie)."
                        : "The token is invalid or has expired.");
            },
            OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "The token does not grant this request."),
        };
    }

    internal static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };

        // The problem details service writes only what the client's Accept allows; a problem is owed whatever it accepts.
        if (!await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(problem))
        {
            await Results.Problem(problem.ProblemDetails).ExecuteAsync(context);
        }
    }
}
