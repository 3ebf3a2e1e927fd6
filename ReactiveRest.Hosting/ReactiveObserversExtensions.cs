using Microsoft.Extensions.Configuration;

namespace ReactiveRest.Hosting;

public static class ReactiveObserversExtensions
{
    /// <summary>The AppHost setting that sets how many observer replicas run.</summary>
    public const string ReplicasSetting = "Observers:Replicas";

    public const int DefaultReplicas = 2;

    /// <summary>
    /// Adds the observers worker: its replicas (<see cref="ReplicasSetting"/>), the database and Redis it uses, the
    /// AppHost's <c>Reactive:*</c> settings, and a health check. It waits for the API, because the observers evaluate
    /// queries on the database the API migrates.
    /// </summary>
    /// <typeparam name="TProject">The observers' project, such as <c>Projects.ReactiveRest_Observers</c>.</typeparam>
    public static IResourceBuilder<ProjectResource> AddReactiveObservers<TProject>(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<IResourceWithConnectionString> database,
        IResourceBuilder<IResourceWithConnectionString> redis,
        IResourceBuilder<ProjectResource> api)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithReplicas(builder.Configuration.GetValue(ReplicasSetting, DefaultReplicas))
            .WithReference(database).WithReference(redis)
            .WaitFor(api)
            .WithHttpHealthCheck("/health")
            .WithReactiveSettings();
}
