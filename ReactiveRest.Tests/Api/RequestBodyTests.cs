using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

/// <summary>Every way a request body can be wrong gets a problem, never a 500.</summary>
public sealed class RequestBodyTests(ReactiveRestApp app)
{
    private readonly HttpClient _client = app.CreateApiClient();

    [Theory]
    [InlineData("/api/boards", "{\"name\": ")]
    [InlineData("/api/boards", "{name: 'x'}")]
    [InlineData("/api/tasks", "not json at all")]
    [InlineData("/api/tasks", "")]
    public async Task Malformed_json_is_a_400_problem(string url, string body)
    {
        using var response = await _client.SendRawAsync(HttpMethod.Post, url, body);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("JSON", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"name\"")]
    [InlineData("null")]
    public async Task A_body_that_is_not_an_object_is_a_400_problem(string body)
    {
        using var response = await _client.SendRawAsync(HttpMethod.Post, "/api/boards", body);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        using var response = await _client.SendRawAsync(HttpMethod.Post, "/api/boards", "name=x", "application/x-www-form-urlencoded");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem()
    {
        var huge = "{\"name\": \"" + new string('x', 200_000) + "\"}";

        using var response = await _client.SendRawAsync(HttpMethod.Post, "/api/boards", huge);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        using var response = await _client.GetAsync("/api/boards/not-a-number", TestContext.Current.CancellationToken);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }
}
