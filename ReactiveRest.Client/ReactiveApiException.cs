using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReactiveRest.Client;

/// <summary>The API refused an observe GET (a 4xx, or a 5xx other than the 503 that is retried).</summary>
public sealed class ReactiveApiException(HttpStatusCode statusCode, ApiProblem? problem, string path)
    : Exception($"GET {path}: {(int)statusCode} {problem?.Title}{(problem?.Detail is { } detail ? " " + detail : "")}".TrimEnd())
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The problem details of the answer; <c>null</c> when its body was not one.</summary>
    public ApiProblem? Problem { get; } = problem;

    public string Path { get; } = path;

    internal static async Task<ReactiveApiException> FromResponseAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        ApiProblem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<ApiProblem>(ServerMessage.Json, cancellationToken);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            // Not problem details (a proxy's page, say): the status alone still says what happened.
        }

        return new ReactiveApiException(response.StatusCode, problem, path);
    }
}
