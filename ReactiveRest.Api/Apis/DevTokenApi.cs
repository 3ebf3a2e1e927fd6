using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;

namespace ReactiveRest.Api.Apis;

public static class DevTokenApi
{
    /// <summary>
    /// <c>POST /api/dev/token</c> with <c>{"user": "alice"}</c>: a token for any user, signed with the configured key,
    /// answered as <c>{"token"}</c> and set as the session cookie. Development only: in any other environment the
    /// route does not exist (404), and tokens come from the configured OIDC provider.
    /// </summary>
    public static IEndpointRouteBuilder MapDevTokenApi(this IEndpointRouteBuilder app, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            app.MapPost("/api/dev/token", IssueAsync).WithTags("Development").AllowAnonymous()
                .WithName("IssueDevToken").WithSummary("Issue a token for any user (Development only)");
        }

        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, IOptions<AuthOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (auth.SigningKey is not { Length: >= 32 })
        {
            return Problems.Create(StatusCodes.Status404NotFound, "Not found", "Tokens come from the configured identity provider (Auth:Authority).");
        }

        var (fields, problem) = await JsonBody.ReadObjectAsync(context.Request, cancellationToken);
        if (fields is null)
        {
            return problem!;
        }

        var user = fields.String("user", required: true, maxLength: 64);
        if (user is not null && !Users.IsValidName(user))
        {
            fields.Fail("user", $"A user name is {Users.Rule}.");
        }

        if (fields.Errors.Any)
        {
            return Problems.Validation(fields.Errors);
        }

        var now = time.GetUtcNow();
        var expires = now + auth.DevTokenLifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity([new Claim(auth.UserClaim, user!), new Claim("name", user!)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(AuthenticationExtensions.SigningKeyOf(auth), SecurityAlgorithms.HmacSha256),
        });

        // A cookie is per host, not per port: the observers' WebSocket on the same host receives it too.
        context.Response.Cookies.Append(auth.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
        });
        return TypedResults.Ok(new { token, user, expires });
    }
}
