using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ReactiveRest.AppHost.Commands;

public static class ShowObserversCommand
{
    public const string Name = "show-observers";

    /// <summary>The observers' diagnostics endpoint (ReactiveRest.AspNetCore/Diagnostics, mapped by the observers host in Development only).</summary>
    private const string DiagnosticsPath = "/diagnostics/observers";

    /// <summary>
    /// Whose observers the command shows: the endpoint shows the caller's only, and this is the user the live board
    /// page and the demo data use by default.
    /// </summary>
    public const string User = SeedDemoDataCommand.User;

    /// <summary>
    /// "Show observers" on each observers replica's dashboard entry: writes into that replica's console log the live
    /// observers of <see cref="User"/> on every replica, with their subscribers and evaluations. Every replica is asked,
    /// because each subscriber's socket, and so its feeds, live on one replica only. The token comes from the API's
    /// development endpoint, like the demo data's.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithShowObserversCommand(this IResourceBuilder<ProjectResource> observers, IResourceBuilder<ProjectResource> api)
    {
        var endpoint = observers.GetEndpoint("http");
        var apiEndpoint = api.GetEndpoint("http");
        return observers.WithCommand(Name, "Show observers", context => ShowAsync(observers.Resource, endpoint, apiEndpoint, context), new CommandOptions
        {
            Description = $"Logs {User}'s live observers on every replica, with their subscribers and evaluations.",
            IconName = "Eye",
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
    }

    private static async Task<ExecuteCommandResult> ShowAsync(
        ProjectResource resource, EndpointReference endpoint, EndpointReference apiEndpoint, ExecuteCommandContext context)
    {
        var logger = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(context.ResourceName);
        var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
        using var client = context.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        client.Timeout = TimeSpan.FromSeconds(10);
        try
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", await DevTokenAsync(client, apiEndpoint, context.CancellationToken));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return CommandResults.Failure($"No token for {User} from the API's development endpoint: {exception.Message}");
        }

        var replicas = await ReplicaAddresses.OfAsync(resource, notifications, endpoint, context.CancellationToken);
        var observers = 0;
        var failures = new List<string>();
        logger.LogInformation("Live observers of {User} on {Count} observers replicas:", User, replicas.Count);
        foreach (var (replica, address) in replicas)
        {
            try
            {
                var description = await client.GetFromJsonAsync<JsonElement>(new Uri(address, DiagnosticsPath), context.CancellationToken);
                observers += Log(logger, replica, description);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
            {
                failures.Add($"{replica}: {exception.Message}");
                logger.LogWarning("Replica {Replica} ({Address}) did not describe its observers: {Error}", replica, address, exception.Message);
            }
        }

        return failures.Count == 0
            ? CommandResults.Success($"{observers} observers of {User} on {replicas.Count} replicas; the listing is in the console log of {context.ResourceName}.")
            : CommandResults.Failure($"Not every replica answered: {string.Join("; ", failures)}");
    }

    /// <summary>A token for <see cref="User"/> from the API's development endpoint, sent as a bearer header (which wins over the cookie the endpoint also sets).</summary>
    private static async Task<string> DevTokenAsync(HttpClient client, EndpointReference apiEndpoint, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(new Uri(new Uri(apiEndpoint.Url), "/api/dev/token"), new { user = User }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("token").GetString() ?? throw new InvalidOperationException("The development endpoint answered no token.");
    }

    /// <summary>One line per replica, then one per observer. Returns how many observers the replica delivers.</summary>
    private static int Log(ILogger logger, string replica, JsonElement description)
    {
        var observers = description.GetProperty("observers");
        logger.LogInformation(
            "Replica {Replica} (process {Process}): {User} has {Connections} WebSocket connections and {Observers} observers here",
            replica, description.GetProperty("replica").GetString(), User, description.GetProperty("connections").GetInt32(), observers.GetArrayLength());
        foreach (var observer in observers.EnumerateArray())
        {
            var subscribers = observer.GetProperty("subscribers").EnumerateArray().Select(subscriber => subscriber.GetString());
            logger.LogInformation(
                "  observer {Observer} {Url}: seq {Seq}, {Evaluations} evaluations, {Changes} changes counted; subscribers here: {Subscribers} ({Total} on every replica)",
                observer.GetProperty("observer").GetString(),
                observer.GetProperty("url").GetString(),
                observer.GetProperty("seq").GetInt64(),
                Number(observer.GetProperty("evaluations")),
                Number(observer.GetProperty("changes")),
                string.Join(", ", subscribers),
                Number(observer.GetProperty("totalSubscribers")));
        }

        return observers.GetArrayLength();
    }

    private static string Number(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "?";
}
