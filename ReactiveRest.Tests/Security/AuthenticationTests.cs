using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// Who a request runs as: a bearer token, <c>access_token</c> on a WebSocket, or the cookie the development endpoint
/// sets, whose writes and WebSockets must come from an allowed Origin. Without credentials: 401 problem details.
/// </summary>
public sealed class AuthenticationTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Uri ApiUrl => app.App.GetEndpoint("api", "http");

    [Theory]
    [InlineData("GET", "/api/boards")]
    [InlineData("GET", "/api/tasks?boardId=1")]
    [InlineData("GET", "/api/boardstats")]
    [InlineData("POST", "/api/boards")]
    [InlineData("GET", "/api/boards/1/members")]
    [InlineData("POST", "/api/queryobserver/unsubscribe?observer=0123456789abcdef0123456789abcdef&subscriber=s1")]
    [InlineData("GET", "/api/queryobserver/0123456789abcdef0123456789abcdef")]
    public async Task A_request_without_credentials_is_a_401_problem(string method, string path)
    {
        using var anonymous = app.CreateApiClient(user: null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { name = "x" }) : null };
        using var response = await anonymous.SendAsync(request, Cancellation);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Bearer not-a-token")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task A_request_with_a_bad_token_is_a_401_problem(string authorization)
    {
        using var client = app.CreateApiClient(user: null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        using var response = await client.GetAsync("/api/boards", Cancellation);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var forged = TestUsers.Mint(new Dictionary<string, object> { ["sub"] = TestUsers.Current }, key: new string('k', 32));
        using var client = app.CreateApiClient(user: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", forged);
        using var response = await client.GetAsync("/api/boards", Cancellation);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_signed_token_that_names_no_user_is_a_401_problem()
    {
        var nameless = TestUsers.Mint(new Dictionary<string, object> { ["name"] = "nobody" });
        using var client = app.CreateApiClient(user: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", nameless);

        using var read = await client.GetAsync("/api/boards", Cancellation);
        using var observe = await client.GetAsync("/api/boards?observe=nameless", Cancellation);

        await ProblemAssert.IsProblemAsync(read, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(observe, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_websocket_without_credentials_is_a_401_before_the_upgrade()
    {
        var status = await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(app, "/ws/anonymous-1", user: null));
        var badToken = await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(app, "/ws/anonymous-2?access_token=garbage", user: null));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.Unauthorized, badToken);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(app, "/ws/with-token-" + Guid.NewGuid().ToString("N")[..8])));
    }

    [Fact]
    public async Task The_development_endpoint_issues_a_token_and_a_cookie_that_authenticate()
    {
        var user = TestUsers.Unique("devtoken");
        using var anonymous = CookielessClient();
        using var issued = await anonymous.PostAsJsonAsync("/api/dev/token", new { user }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var token = (await issued.ReadJsonAsync()).GetProperty("token").GetString();
        Assert.False(string.IsNullOrEmpty(token));
        var cookie = issued.Headers.GetValues("Set-Cookie").Single(value => value.StartsWith("rr_token=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);

        using var bearer = CookielessClient();
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var created = await bearer.CreateBoardAsync("issued");
        using var byCookie = CookieClient(token!);
        using var read = await byCookie.GetAsync($"/api/boards/{created.Id()}", Cancellation);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var members = await bearer.GetAsync($"/api/boards/{created.Id()}/members", Cancellation);
        Assert.Equal(user, (await members.ReadJsonAsync())[0].GetProperty("user").GetString());
    }

    [Theory]
    [InlineData("""{"user": ""}""")]
    [InlineData("""{"user": "alice\n"}""")]
    [InlineData("""{"user": "a b"}""")]
    [InlineData("""{"user": 7}""")]
    [InlineData("""{}""")]
    public async Task The_development_endpoint_refuses_a_bad_user_name(string body)
    {
        using var anonymous = CookielessClient();
        using var response = await anonymous.SendRawAsync(HttpMethod.Post, "/api/dev/token", body);

        await ProblemAssert.IsValidationProblemAsync(response, "user");
    }

    [Fact]
    public async Task A_cookie_write_must_come_from_an_allowed_origin()
    {
        var token = TestUsers.TokenFor(TestUsers.Current);
        using var client = CookieClient(token);

        using var noOrigin = await client.PostAsJsonAsync("/api/boards", new { name = "no origin" }, Cancellation);
        using var foreign = await SendWithOriginAsync(client, "https://evil.example");
        using var own = await SendWithOriginAsync(client, ApiUrl.GetLeftPart(UriPartial.Authority));

        await ProblemAssert.IsProblemAsync(noOrigin, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(foreign, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [Fact]
    public async Task A_cookie_websocket_from_a_foreign_origin_is_refused_and_from_the_pages_origin_accepted()
    {
        var cookie = $"rr_token={TestUsers.TokenFor(TestUsers.Current)}";
        var uri = Subscriber.WebSocketUri(app, "/ws/cookie-" + Guid.NewGuid().ToString("N")[..8], user: null);

        var foreign = await WebSocketUpgrade.TryAsync(uri, options =>
        {
            options.SetRequestHeader("Cookie", cookie);
            options.SetRequestHeader("Origin", "https://evil.example");
        });
        var none = await WebSocketUpgrade.TryAsync(uri, options => options.SetRequestHeader("Cookie", cookie));
        var page = await WebSocketUpgrade.TryAsync(uri, options =>
        {
            options.SetRequestHeader("Cookie", cookie);
            options.SetRequestHeader("Origin", ApiUrl.GetLeftPart(UriPartial.Authority));
        });

        Assert.Equal(HttpStatusCode.Forbidden, foreign);
        Assert.Equal(HttpStatusCode.Forbidden, none);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, page);
    }

    private HttpClient CookieClient(string token)
    {
        var client = CookielessClient();
        client.DefaultRequestHeaders.Add("Cookie", $"rr_token={token}");
        return client;
    }

    /// <summary>
    /// A client without a cookie jar: the clients of the stack share one (Aspire's HTTP client factory), so a cookie the
    /// token endpoint sets there would authenticate other tests' anonymous requests.
    /// </summary>
    private HttpClient CookielessClient() => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = ApiUrl };

    private static Task<HttpResponseMessage> SendWithOriginAsync(HttpClient client, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/boards") { Content = JsonContent.Create(new { name = "with origin" }) };
        request.Headers.Add("Origin", origin);
        return client.SendAsync(request, Cancellation);
    }
}
