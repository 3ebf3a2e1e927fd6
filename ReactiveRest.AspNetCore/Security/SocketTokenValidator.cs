using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ReactiveRest.Engine.Security;

/// <summary>
/// Validates a token a client sends on its open WebSocket (<c>{"msg": "token", …}</c>) exactly as the API validates a
/// bearer token: the registered JwtBearer options' handlers and parameters, with the OIDC provider's keys and issuer
/// when an authority is configured.
/// </summary>
public sealed class SocketTokenValidator(IOptionsMonitor<JwtBearerOptions> jwtOptions, IOptions<AuthOptions> auth, TimeProvider time)
{
    public async Task<TokenCheck> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var jwt = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = jwt.TokenValidationParameters.Clone();
        if (jwt.ConfigurationManager is { } manager)
        {
            // What the JwtBearer handler adds itself from the provider's metadata before it validates.
            var configuration = await manager.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], configuration.Issuer];
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }

        foreach (var handler in jwt.TokenHandlers)
        {
            // As the JwtBearer handler does: the first handler that validates the token decides.
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (!result.IsValid)
            {
                continue;
            }

            var expires = new DateTimeOffset(DateTime.SpecifyKind(result.SecurityToken.ValidTo, DateTimeKind.Utc));
            if (expires <= time.GetUtcNow())
            {
                // Within the validation's clock skew, but of no use: the socket would be closed at once.
                return TokenCheck.Refused("The token has expired.");
            }

            var claim = auth.Value.UserClaim;
            if (!result.Claims.TryGetValue(claim, out var user) || user is not string { Length: > 0 and <= Users.MaxLength } name)
            {
                return TokenCheck.Refused($"The token's '{claim}' claim names no valid user.");
            }

            return new TokenCheck(name, expires, null);
        }

        return TokenCheck.Refused("The token is invalid or has expired.");
    }
}
