using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ReactiveRest.Api.Extensions;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>The development token endpoint exists only in Development: anywhere else tokens come from the identity provider.</summary>
public sealed class DevTokenEnvironmentTests(ReactiveRestApp app)
{
    [Fact]
    public async Task Outside_development_the_token_endpoint_is_a_404()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string?>(TestUsers.ServiceSettings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)))
        {
            ["ConnectionStrings:redis"] = await app.App.GetConnectionStringAsync("redis", cancellation),
            ["ConnectionStrings:reactivedb"] = await app.App.GetConnectionStringAsync("reactivedb", cancellation),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var production = new WebApplicationFactory<BadRequestExceptionHandler>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                // Settings, not app configuration: the database client reads its connection string while the host is built.
                web.UseSetting(key, value);
            }
        });
        using var client = production.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/dev/token", new { user = "alice" }, cancellation);
        using var unauthenticated = await client.GetAsync("/api/boards", cancellation);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(unauthenticated, HttpStatusCode.Unauthorized);
    }
}
