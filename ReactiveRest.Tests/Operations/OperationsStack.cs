using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Operations;

/// <summary>
/// A fresh instance of the whole application (empty database, first start), watched from before it starts: every
/// resource's console lines and when each resource was first reported healthy.
/// </summary>
public sealed class OperationsStack() : ReactiveRestStack([])
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstHealthy = new();
    private readonly CancellationTokenSource _stop = new();
    private ResourceLogs? _logs;
    private Task? _health;

    public ResourceLogs Logs => _logs ?? throw new InvalidOperationException("The application has not started.");

    /// <summary>When the AppHost first reported a resource (by name) healthy, as seen from here.</summary>
    public DateTimeOffset? FirstHealthy(string resource) => _firstHealthy.TryGetValue(resource, out var time) ? time : null;

    protected override void OnStarting(DistributedApplication app)
    {
        _logs = new ResourceLogs(app);
        _health = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in app.ResourceNotifications.WatchAsync(_stop.Token))
                {
                    if (change.Snapshot.HealthStatus == HealthStatus.Healthy)
                    {
                        _firstHealthy.TryAdd(change.Resource.Name, DateTimeOffset.UtcNow);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_health is not null)
        {
            await _health;
        }

        if (_logs is not null)
        {
            await _logs.DisposeAsync();
        }

        _stop.Dispose();
        await base.DisposeAsync();
    }
}
