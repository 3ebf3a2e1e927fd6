using System.Globalization;

namespace ReactiveRest.AppHost.Commands;

/// <summary>
/// Where each replica of a project listens itself. The endpoint's URL is DCP's proxy, which hands each request to
/// any replica; to ask every replica, the command needs the port each process was given, which its snapshot's
/// environment shows.
/// </summary>
public static class ReplicaAddresses
{
    private static readonly TimeSpan ReplayTime = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<(string Replica, Uri Address)>> OfAsync(
        ProjectResource resource, ResourceNotificationService notifications, EndpointReference proxied, CancellationToken cancellationToken)
    {
        // The watch replays every instance's current state first, then waits for changes: a moment is enough.
        var snapshots = new Dictionary<string, CustomResourceSnapshot>(StringComparer.Ordinal);
        using var replay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        replay.CancelAfter(ReplayTime);
        try
        {
            await foreach (var update in notifications.WatchAsync(replay.Token))
            {
                if (ReferenceEquals(update.Resource, resource))
                {
                    snapshots[update.ResourceId] = update.Snapshot;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        List<(string Replica, Uri Address)> addresses =
        [
            .. snapshots.OrderBy(entry => entry.Key, StringComparer.Ordinal)
                .Select(entry => (entry.Key, Own(entry.Value)))
                .Where(entry => entry.Item2 is not null)
                .Select(entry => (entry.Key, entry.Item2!)),
        ];

        // Not started by DCP (or a snapshot without its environment): the proxy reaches one of them.
        return addresses.Count > 0 ? addresses : [(resource.Name, new Uri(proxied.Url))];
    }

    private static Uri? Own(CustomResourceSnapshot snapshot)
    {
        if (snapshot.State?.Text != KnownResourceStates.Running)
        {
            return null;
        }

        var environment = snapshot.EnvironmentVariables.ToDictionary(variable => variable.Name, variable => variable.Value, StringComparer.Ordinal);
        if (environment.GetValueOrDefault("ASPNETCORE_URLS") is { Length: > 0 } urls)
        {
            var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(url => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
            if (first is not null && Uri.TryCreate(first.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                return uri;
            }
        }

        return environment.GetValueOrDefault("HTTP_PORTS") is { Length: > 0 } ports
            && int.TryParse(ports.Split(';')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}")
            : null;
    }
}
