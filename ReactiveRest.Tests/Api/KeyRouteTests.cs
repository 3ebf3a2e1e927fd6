using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

/// <summary>
/// The detail routes of a resource mapped from its definition take an id of its key's type only: for an int key (the
/// comments), an id that is no int matches no route, as the int routes always did, and an unknown one is a problem.
/// </summary>
public sealed class KeyRouteTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("GET", "/api/comments/abc")]
    [InlineData("GET", "/api/comments/99999999999")]
    [InlineData("GET", "/api/comments/1.5")]
    [InlineData("PATCH", "/api/comments/abc")]
    [InlineData("DELETE", "/api/comments/0f8fad5b-d9cb-469f-a165-70867728950e")]
    public async Task An_id_that_is_not_of_the_key_s_type_is_not_found(string method, string path)
    {
        using var client = app.CreateApiClient(TestUsers.Unique("keys"));
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { text = "x" }) };
        using var response = await client.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_int_id_of_no_row_is_a_problem_naming_it()
    {
        using var client = app.CreateApiClient(TestUsers.Unique("keys"));
        using var response = await client.GetAsync("/api/comments/2147483647", Cancellation);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Comment 2147483647 does not exist.", problem.GetProperty("detail").GetString());
    }
}
