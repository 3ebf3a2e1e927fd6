using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// In Development the services answer only requests addressed to a loopback name: a page on another origin that
/// rebinds its own host name to 127.0.0.1 (DNS rebinding) cannot mint a token or read anything from a developer's stack.
/// </summary>
public sealed class HostFilteringTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("api", "/api/dev/token")]
    [InlineData("observers", "/health")]
    public async Task A_request_for_another_host_name_is_refused_and_a_loopback_one_is_served(string service, string path)
    {
        using var client = service == "api" ? app.CreateApiClient(user: null) : app.CreateObserversClient(user: null);
        var port = client.BaseAddress!.Port;

        using var rebound = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { user = "mallory" }) };
        rebound.Headers.Host = $"rebound.example:{port}";
        using var refused = await client.SendAsync(rebound, Cancellation);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        foreach (var name in new[] { "localhost", "127.0.0.1" })
        {
            using var local = new HttpRequestMessage(service == "api" ? HttpMethod.Post : HttpMethod.Get, path) { Content = JsonContent.Create(new { user = "alice" }) };
            local.Headers.Host = $"{name}:{port}";
            using var served = await client.SendAsync(local, Cancellation);
            Assert.True(served.IsSuccessStatusCode, $"Host {name}: {(int)served.StatusCode}");
        }
    }
}
