using System.Text.Json;

namespace ReactiveRest.Tests.Infrastructure;

public static class ProblemAssert
{
    /// <summary>The response is an RFC 9457 problem with this status whose <c>errors</c> name the offending parameter or field.</summary>
    public static async Task<JsonElement> IsValidationProblemAsync(HttpResponseMessage response, string offendingName)
    {
        var problem = await IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No 'errors' in {problem}");
        Assert.True(errors.TryGetProperty(offendingName, out var messages), $"'{offendingName}' is not named in {errors}");
        Assert.NotEqual(0, messages.GetArrayLength());
        return problem;
    }

    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }
}
