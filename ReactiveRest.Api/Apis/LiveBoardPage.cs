namespace ReactiveRest.Api.Apis;

/// <summary>
/// The live task board page: static files from <c>wwwroot</c> (<c>/</c> is <c>index.html</c>), including the
/// TypeScript client the build compiles into <c>wwwroot/lib/reactiverest-client</c>, and the one setting the page
/// cannot know by itself, where the observers' WebSockets are.
/// </summary>
public static class LiveBoardPage
{
    /// <summary>The observers' public base URL (<c>http://127.0.0.1:5190</c>); the AppHost sets it.</summary>
    public const string ObserversUrlKey = "LiveBoard:ObserversUrl";

    public static WebApplication UseLiveBoardPage(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        return app;
    }

    public static IEndpointRouteBuilder MapLiveBoardPageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/client-config", (IConfiguration configuration) =>
                TypedResults.Ok(new ClientConfig(configuration[ObserversUrlKey]?.TrimEnd('/'))))
            .WithName("GetClientConfig")
            .WithSummary("What a browser client needs besides the API: the observers' public URL (null when not configured).")
            .AllowAnonymous();
        return app;
    }

    public sealed record ClientConfig(string? ObserversUrl);
}
