using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.AppHost;

public sealed class AppHostTests(ReactiveRestApp app)
{
    [Theory]
    [InlineData("api")]
    [InlineData("observers")]
    public async Task Services_started_by_the_AppHost_report_healthy(string service)
    {
        using var client = app.App.CreateHttpClient(service);

        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var alive = await client.GetAsync("/alive", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task The_database_and_redis_are_real_servers_with_connection_strings()
    {
        var database = await app.App.GetConnectionStringAsync("reactivedb", TestContext.Current.CancellationToken);
        var redis = await app.App.GetConnectionStringAsync("redis", TestContext.Current.CancellationToken);

        Assert.Contains("Database=reactivedb", database);
        Assert.Contains("password=", redis);
    }
}
