using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ReactiveRest.AppHost.Commands;

public static class SeedDemoDataCommand
{
    public const string Name = "seed-demo-data";
    public const string BoardName = "Demo: launch plan";

    /// <summary>The user the demo board belongs to (the live page's default user).</summary>
    public const string User = "alice";

    private static readonly (string Title, bool Done)[] Tasks =
    [
        ("Write the announcement", true),
        ("Record the demo video", false),
        ("Invite the beta testers", false),
        ("Fix the last bugs", false),
        ("Ship it", false),
    ];

    /// <summary>
    /// "Seed demo data" on the API's dashboard entry: a board of <see cref="User"/> with a few tasks, created through the
    /// API's own REST endpoints with a token from its development endpoint (so the writes are captured and reach
    /// observers like any client's), for a new user to observe.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSeedDemoDataCommand(this IResourceBuilder<ProjectResource> api)
    {
        var endpoint = api.GetEndpoint("http");
        return api.WithCommand(Name, "Seed demo data", context => SeedAsync(endpoint, context), new CommandOptions
        {
            Description = "Creates a board with tasks through the API, so there is something to observe.",
            IconName = "DatabaseArrowUp",
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
    }

    private static async Task<ExecuteCommandResult> SeedAsync(EndpointReference endpoint, ExecuteCommandContext context)
    {
        var logger = context.Logger;
        try
        {
            // No cookie jar: the token endpoint's cookie would make the next writes cookie-authenticated, which the API
            // accepts only from a browser page's allowed Origin.
            using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false })
            {
                BaseAddress = new Uri(endpoint.Url),
                Timeout = TimeSpan.FromSeconds(30),
            };
            var token = await PostAsync(client, "/api/dev/token", new { user = User }, context.CancellationToken);
            client.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("token").GetString());

            var board = await PostAsync(client, "/api/boards", new { name = BoardName }, context.CancellationToken);
            var boardId = board.GetProperty("id").GetInt32();
            for (var position = 0; position < Tasks.Length; position++)
            {
                var (title, done) = Tasks[position];
                await PostAsync(client, "/api/tasks", new { boardId, title, done, position }, context.CancellationToken);
            }

            var observe = $"{endpoint.Url}/api/tasks?boardId={boardId}&observe=<subscriber>";
            logger.LogInformation("Seeded board {BoardId} '{BoardName}' of {User} with {Count} tasks; observe them with GET {Url}", boardId, BoardName, User, Tasks.Length, observe);
            return CommandResults.Success($"Created board {boardId} '{BoardName}' of {User} with {Tasks.Length} tasks. Observe them as {User}: GET {observe}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            logger.LogWarning(exception, "Seeding demo data failed");
            return CommandResults.Failure($"Seeding demo data failed: {exception.Message}");
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(path, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
