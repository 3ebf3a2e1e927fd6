namespace ReactiveRest.AppHost.Deployment;

public static class ExternalEndpointsExtensions
{
    /// <summary>
    /// Marks the service's HTTP endpoints external in the published manifest, so azd gives its container app an
    /// external (public HTTPS) ingress: clients call the API and open the observers' WebSockets from outside. Only when
    /// publishing: run mode keeps every endpoint on the loopback interface, whatever a later Aspire does with the flag.
    /// </summary>
    public static IResourceBuilder<T> WithExternalHttpEndpointsWhenPublished<T>(this IResourceBuilder<T> service)
        where T : IResourceWithEndpoints =>
        service.ApplicationBuilder.ExecutionContext.IsPublishMode ? service.WithExternalHttpEndpoints() : service;
}
