using System.Net.Http.Headers;
using System.Text;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// The fuzz test's judgement of a refusal can fail: an empty answer is exempt only when the request holds what Kestrel
/// refuses before the application, never because of its status alone.
/// </summary>
public sealed class FuzzCheckTests
{
    private static FuzzTests.FuzzRequest Request(string pathAndQuery, params (string Name, string Value)[] headers) =>
        new("api", HttpMethod.Get, pathAndQuery, "valid", [.. headers], null, null, "");

    private static HttpResponseMessage Empty(int status)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent([]) };
        response.Headers.ConnectionClose = true;
        return response;
    }

    [Theory]
    [InlineData(400)]
    [InlineData(414)]
    [InlineData(431)]
    public void An_empty_refusal_of_an_ordinary_request_is_a_violation(int status)
    {
        using var response = Empty(status);
        var (exempt, violation) = FuzzTests.CheckProblem(Request("/api/tasks?limit=5", ("Accept", "application/json")), response, "");
        Assert.Null(exempt);
        Assert.NotNull(violation);
    }

    [Fact]
    public void An_empty_400_for_a_header_kestrel_refuses_is_exempt_and_says_why()
    {
        using var response = Empty(400);
        var (exempt, violation) = FuzzTests.CheckProblem(Request("/api/tasks", ("Accept-Language", "é")), response, "");
        Assert.Null(violation);
        Assert.Contains("not visible ASCII", exempt, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_414_for_a_request_line_over_kestrels_limit_is_exempt()
    {
        using var response = Empty(414);
        var (exempt, violation) = FuzzTests.CheckProblem(Request("/api/tasks?title=" + new string('x', 9000)), response, "");
        Assert.Null(violation);
        Assert.Contains("8 KiB", exempt, StringComparison.Ordinal);

        // 3,000 characters, 18,000 bytes once percent-encoded.
        var (encoded, _) = FuzzTests.CheckProblem(Request("/api/tasks?title=" + new string('é', 3000)), response, "");
        Assert.NotNull(encoded);
    }

    [Fact]
    public void A_problem_with_its_status_passes_and_one_with_another_status_fails()
    {
        using var good = new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("{\"status\":400,\"title\":\"x\"}", Encoding.UTF8, new MediaTypeHeaderValue("application/problem+json")),
        };
        Assert.Equal((null, null), FuzzTests.CheckProblem(Request("/api/tasks"), good, "{\"status\":400,\"title\":\"x\"}"));
        Assert.Equal((null, "problem without its status"), FuzzTests.CheckProblem(Request("/api/tasks"), good, "{\"status\":404,\"title\":\"x\"}"));
    }
}
