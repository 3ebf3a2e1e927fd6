using Microsoft.Extensions.Configuration;

namespace ReactiveRest.AppHost.Security;

/// <summary>
/// The secrets and settings of authentication, as Aspire parameters shared by the API and the observers: the key that
/// signs self-issued tokens and the key of observer ids (both generated secrets), and, for an OIDC provider, its
/// authority and audience.
/// </summary>
public sealed record AuthenticationParameters(
    IResourceBuilder<ParameterResource> SigningKey,
    IResourceBuilder<ParameterResource> ObserverIdSecret,
    IResourceBuilder<ParameterResource>? Authority,
    IResourceBuilder<ParameterResource>? Audience);

public static class AuthenticationParameterExtensions
{
    public const string AuthorityParameter = "auth-authority";
    public const string AudienceParameter = "auth-audience";

    /// <summary>
    /// Generated secrets, and the OIDC authority and audience: always when publishing (azd asks for them: a deployed
    /// API has no development token endpoint), and in run mode only when <c>Parameters:auth-authority</c> is set.
    /// </summary>
    public static AuthenticationParameters AddAuthenticationParameters(this IDistributedApplicationBuilder builder)
    {
        var secret = new GenerateParameterDefault { MinLength = 48, Special = false };
        var signingKey = builder.AddParameter("auth-signing-key", secret, secret: true);
        var observerIdSecret = builder.AddParameter("observer-id-secret", secret, secret: true);
        var useAuthority = builder.ExecutionContext.IsPublishMode || !string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{AuthorityParameter}"]);
        return new AuthenticationParameters(
            signingKey,
            observerIdSecret,
            useAuthority ? builder.AddParameter(AuthorityParameter) : null,
            useAuthority ? builder.AddParameter(AudienceParameter, "reactiverest", publishValueAsDefault: true) : null);
    }

    public static IResourceBuilder<T> WithAuthentication<T>(this IResourceBuilder<T> service, AuthenticationParameters parameters)
        where T : IResourceWithEnvironment
    {
        service.WithEnvironment("Auth__SigningKey", parameters.SigningKey)
            .WithEnvironment("Reactive__ObserverIdSecret", parameters.ObserverIdSecret);
        if (parameters.Authority is not null && parameters.Audience is not null)
        {
            service.WithEnvironment("Auth__Authority", parameters.Authority).WithEnvironment("Auth__Audience", parameters.Audience);
        }

        // Auth:AllowedOrigins and the like, set in the AppHost's configuration, reach both services.
        var index = 0;
        foreach (var origin in service.ApplicationBuilder.Configuration.GetSection("Auth:AllowedOrigins").GetChildren())
        {
            service.WithEnvironment($"Auth__AllowedOrigins__{index++}", origin.Value);
        }

        // Short-lived development tokens exercise the clients' renewal (4001, the token frame) on a developer's stack.
        if (service.ApplicationBuilder.Configuration["Auth:DevTokenLifetime"] is { Length: > 0 } lifetime)
        {
            service.WithEnvironment("Auth__DevTokenLifetime", lifetime);
        }

        return service;
    }

    /// <summary>
    /// The observers accept cookie-authenticated WebSockets from pages the API serves (the live board), whichever of
    /// the loopback names the browser used.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AllowingPagesOf(this IResourceBuilder<ProjectResource> observers, IResourceBuilder<ProjectResource> api)
    {
        var endpoint = api.GetEndpoint("http");
        var configured = observers.ApplicationBuilder.Configuration.GetSection("Auth:AllowedOrigins").GetChildren().Count();
        observers.WithEnvironment($"Auth__AllowedOrigins__{configured}", endpoint);
        if (!observers.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            observers.WithEnvironment($"Auth__AllowedOrigins__{configured + 1}", ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}"));
            observers.WithEnvironment($"Auth__AllowedOrigins__{configured + 2}", ReferenceExpression.Create($"http://localhost:{endpoint.Property(EndpointProperty.Port)}"));
        }

        return observers;
    }
}
