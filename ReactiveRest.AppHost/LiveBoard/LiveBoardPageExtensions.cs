namespace ReactiveRest.AppHost.LiveBoard;

public static class LiveBoardPageExtensions
{
    /// <summary>The API setting (env <c>LiveBoard__ObserversUrl</c>) that tells the page where the WebSockets are.</summary>
    public const string ObserversUrlVariable = "LiveBoard__ObserversUrl";

    /// <summary>
    /// The live task board page, served by the API at <c>/</c>: the API is told the observers' public URL (which it
    /// hands to the page at <c>GET /api/client-config</c>), and the dashboard lists the page as "Live board" on the
    /// API's entry. When publishing, the observers' external HTTPS endpoint is the one a browser reaches.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLiveBoardPage(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> observers)
    {
        var endpoint = observers.GetEndpoint(api.ApplicationBuilder.ExecutionContext.IsPublishMode ? "https" : "http");
        return api
            .WithEnvironment(ObserversUrlVariable, endpoint)
            .WithUrl("/", "Live board");
    }
}
