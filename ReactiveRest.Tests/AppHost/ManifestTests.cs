using System.Text.Json;

namespace ReactiveRest.Tests.AppHost;

/// <summary>
/// What azd deploys, read from the manifest the AppHost publishes: publishing needs neither Docker nor the local
/// binaries, and models Redis and PostgreSQL as containers.
/// </summary>
public sealed class ManifestTests(PublishedManifest manifest) : IClassFixture<PublishedManifest>
{
    private readonly JsonElement _resources = manifest.Resources;

    [Theory]
    [InlineData("api", "ReactiveRest.Api.csproj")]
    [InlineData("observers", "ReactiveRest.Observers.csproj")]
    public void The_services_are_projects_with_external_HTTP_endpoints(string name, string project)
    {
        var service = _resources.GetProperty(name);

        Assert.Contains(service.GetProperty("type").GetString(), new[] { "project.v0", "project.v1" });
        Assert.EndsWith(project, service.GetProperty("path").GetString(), StringComparison.Ordinal);
        var bindings = service.GetProperty("bindings");
        foreach (var scheme in new[] { "http", "https" })
        {
            var binding = bindings.GetProperty(scheme);
            Assert.Equal(scheme, binding.GetProperty("scheme").GetString());
            Assert.True(binding.TryGetProperty("external", out var external) && external.GetBoolean(), $"{name}'s {scheme} binding is not external: {binding}");
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("observers")]
    public void The_services_reference_the_database_and_redis_by_connection_string(string name)
    {
        var environment = _resources.GetProperty(name).GetProperty("env");

        Assert.Equal("{reactivedb.connectionString}", environment.GetProperty("ConnectionStrings__reactivedb").GetString());
        Assert.Equal("{redis.connectionString}", environment.GetProperty("ConnectionStrings__redis").GetString());
    }

    [Theory]
    [InlineData("api")]
    [InlineData("observers")]
    public void Reactive_settings_of_the_publishing_environment_reach_both_services(string name)
    {
        var environment = _resources.GetProperty(name).GetProperty("env");

        Assert.Equal(PublishedManifest.GracePeriod, environment.GetProperty("Reactive__GracePeriod").GetString());
    }

    [Fact]
    public void The_live_board_page_is_told_the_observers_public_HTTPS_URL()
    {
        // The page in a browser opens its WebSocket on the observers' external ingress, so the API must hand it the
        // external HTTPS URL, not an address inside the environment.
        var environment = _resources.GetProperty("api").GetProperty("env");

        Assert.Equal("{observers.bindings.https.url}", environment.GetProperty("LiveBoard__ObserversUrl").GetString());
    }

    [Fact]
    public void The_observers_replicas_are_not_in_the_manifest_so_the_deployment_sets_them()
    {
        // Aspire writes no replica count for a project (microsoft/aspire#2629): WithReplicas(2) is a run-mode setting,
        // and the README's Deploy section says how to scale the observers' container app. Should a later Aspire write
        // it, this fails, and the README's advice changes.
        var observers = _resources.GetProperty("observers");

        Assert.False(observers.TryGetProperty("replicas", out _), $"The manifest now carries replicas: {observers}");
    }

    [Fact]
    public void Redis_and_PostgreSQL_are_containers_with_connection_strings()
    {
        var redis = _resources.GetProperty("redis");
        var postgres = _resources.GetProperty("postgres");

        Assert.Contains(redis.GetProperty("type").GetString(), new[] { "container.v0", "container.v1" });
        Assert.StartsWith("docker.io/library/redis:", redis.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Contains("{redis.bindings.tcp.host}:{redis.bindings.tcp.port}", redis.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
        Assert.Equal(6379, redis.GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort").GetInt32());

        Assert.Contains(postgres.GetProperty("type").GetString(), new[] { "container.v0", "container.v1" });
        Assert.StartsWith("docker.io/library/postgres:", postgres.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Contains("Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port}", postgres.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
        Assert.Equal(5432, postgres.GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort").GetInt32());
    }

    [Fact]
    public void The_database_is_a_connection_string_on_the_postgres_container()
    {
        var database = _resources.GetProperty("reactivedb");

        Assert.Equal("value.v0", database.GetProperty("type").GetString());
        Assert.Equal("{postgres.connectionString};Database=reactivedb", database.GetProperty("connectionString").GetString());
    }

    [Fact]
    public void Nothing_local_is_in_the_manifest()
    {
        // Local processes are a run-mode fallback; a deployment has no redis-server or postgres binaries to run.
        foreach (var resource in _resources.EnumerateObject())
        {
            Assert.DoesNotContain(resource.Value.GetProperty("type").GetString(), new[] { "executable.v0" });
        }

        Assert.Equal(
            ["api", "observers", "postgres", "reactivedb", "redis"],
            _resources.EnumerateObject()
                .Where(resource => resource.Value.GetProperty("type").GetString() is not ("parameter.v0" or "annotated.string") && !resource.Name.StartsWith("cond-", StringComparison.Ordinal))
                .Select(resource => resource.Name).Order(StringComparer.Ordinal));
    }
}
