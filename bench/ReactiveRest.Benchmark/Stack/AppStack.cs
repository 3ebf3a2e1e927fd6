using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Benchmark.Stack;

/// <summary>
/// The whole application as the integration tests start it: the real AppHost through Aspire.Hosting.Testing in
/// local-process mode (throwaway redis-server and postgres in a temporary folder), the API and the observers. It finds
/// each service's process (the resource snapshot's <c>executable.pid</c>) and the port that process itself listens
/// on, so the benchmark's HTTP and WebSocket traffic bypasses Aspire's development proxy.
/// </summary>
internal sealed class AppStack : IAsyncDisposable
{
    private const string PidProperty = "executable.pid";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly DistributedApplication _app;
    private readonly string _dataDirectory;
    private readonly CancellationTokenSource _watching;

    private AppStack(DistributedApplication app, string dataDirectory, CancellationTokenSource watching)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        _watching = watching;
    }

    public required ServiceEndpoint Api { get; init; }

    public required IReadOnlyList<ServiceEndpoint> Observers { get; init; }

    /// <summary>Every process whose CPU and memory are reported, the benchmark's own included.</summary>
    public required IReadOnlyList<MonitoredProcess> Processes { get; init; }

    public required string DatabaseConnectionString { get; init; }

    /// <summary><c>127.0.0.1:port,password=…</c>, for reading Redis's own memory figures.</summary>
    public required string RedisConnectionString { get; init; }

    public required TimeSpan StartDuration { get; init; }

    /// <param name="settings">Configuration given after the benchmark's own, so it wins (a plan's shipped quotas).</param>
    /// <param name="logFile">Where the services' output and the hosting's messages go.</param>
    public static async Task<AppStack> StartAsync(int observerReplicas, IReadOnlyDictionary<string, string> settings, string logFile, TextWriter log, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The benchmark reads /proc: it runs on Linux.");
        }

        // The AppHost creates it private (and, as root, the postgres user's folder beside it).
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"reactiverest-bench-{Guid.NewGuid():N}");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        string[] args =
        [
            $"{InfrastructureSettings.ModeKey}={InfrastructureMode.LocalProcesses}",
            $"{InfrastructureSettings.DataDirectoryKey}={dataDirectory}",
            $"Observers:Replicas={observerReplicas.ToString(CultureInfo.InvariantCulture)}",
            // One benchmark user plays thousands of clients: the per-user limits would be its bottleneck.
            "Reactive:ObservesPerSecondPerUser=1000000",
            "Reactive:WritesPerSecondPerUser=1000000",
            "Reactive:MaxSocketsPerUser=1000000",
            "Reactive:MaxObserversPerSubscriber=1000000",
            "Reactive:MaxObserversPerUser=10000000",
            "Reactive:MaxSubscribersPerUser=1000000",
            "Reactive:MaxStoredBytesPerUser=1000000000000",
            .. settings.Select(setting => $"{setting.Key}={setting.Value}"),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ReactiveRest_AppHost>(
            args, (options, _) => options.DisableDashboard = true, timeout.Token);
        builder.Services.AddLogging(logging => logging
            .ClearProviders()
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddProvider(new FileLoggerProvider(logFile)));

        var app = await builder.BuildAsync(timeout.Token);
        var pids = new ConcurrentDictionary<string, (string Resource, int Pid)>(StringComparer.Ordinal);
        var watching = new CancellationTokenSource();
        _ = WatchPidsAsync(app, pids, watching.Token);
        try
        {
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("observers", timeout.Token);

            while (Count(pids, "api") < 1 || Count(pids, "observers") < observerReplicas || Count(pids, "postgres") < 1 || Count(pids, "redis") < 1)
            {
                await Task.Delay(100, timeout.Token);
            }

            var api = await EndpointAsync(pids.Single(pid => pid.Value.Resource == "api"), timeout.Token);
            var observers = new List<ServiceEndpoint>();
            foreach (var replica in pids.Where(pid => pid.Value.Resource == "observers").OrderBy(pid => pid.Key, StringComparer.Ordinal))
            {
                observers.Add(await EndpointAsync(replica, timeout.Token));
            }

            List<MonitoredProcess> processes =
            [
                new("api", api.Pid),
                .. observers.Select((replica, index) => new MonitoredProcess(observers.Count == 1 ? "observers" : $"observers-{index + 1}", replica.Pid)),
                new("postgres", pids.Values.First(pid => pid.Resource == "postgres").Pid, WithDescendants: true),
                new("redis", pids.Values.First(pid => pid.Resource == "redis").Pid),
                new("bench", Environment.ProcessId),
            ];
            var stack = new AppStack(app, dataDirectory, watching)
            {
                Api = api,
                Observers = observers,
                Processes = processes,
                DatabaseConnectionString = await app.GetConnectionStringAsync("reactivedb", timeout.Token)
                    ?? throw new InvalidOperationException("reactivedb has no connection string."),
                RedisConnectionString = await app.GetConnectionStringAsync("redis", timeout.Token)
                    ?? throw new InvalidOperationException("redis has no connection string."),
                StartDuration = Stopwatch.GetElapsedTime(started),
            };
            log.WriteLine($"  stack up in {stack.StartDuration.TotalSeconds:F0} s: api {api.BaseAddress} (pid {api.Pid}); "
                + string.Join("; ", observers.Select(replica => $"{replica.ResourceId} {replica.BaseAddress} (pid {replica.Pid})"))
                + $"; postgres pid {processes[^3].Pid}; redis pid {processes[^2].Pid}");
            return stack;
        }
        catch
        {
            await watching.CancelAsync();
            await StopAsync(app, dataDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watching.CancelAsync();
        _watching.Dispose();
        await StopAsync(_app, _dataDirectory);
    }

    private static async Task StopAsync(DistributedApplication app, string dataDirectory)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await app.StopAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException)
        {
            // Disposing stops whatever is left.
        }

        await app.DisposeAsync();
        try
        {
            foreach (var directory in new[] { dataDirectory, InfrastructureSettings.PostgresDirectoryOf(dataDirectory) }.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A process still closing a file: /tmp is cleaned eventually.
        }
    }

    private static int Count(ConcurrentDictionary<string, (string Resource, int Pid)> pids, string resource) =>
        pids.Values.Count(pid => pid.Resource == resource);

    private static async Task WatchPidsAsync(DistributedApplication app, ConcurrentDictionary<string, (string Resource, int Pid)> pids, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                var value = update.Snapshot.Properties.FirstOrDefault(property => property.Name == PidProperty)?.Value;
                if (value is not null && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var pid) && pid > 0)
                {
                    pids[update.ResourceId] = (update.Resource.Name, pid);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The first port of the process (or a child of it) that answers <c>/alive</c> over plain HTTP.</summary>
    private static async Task<ServiceEndpoint> EndpointAsync(KeyValuePair<string, (string Resource, int Pid)> resource, CancellationToken cancellationToken)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            foreach (var pid in ProcFs.WithDescendants(resource.Value.Pid))
            {
                foreach (var endpoint in ProcFs.ListeningEndpoints(pid).OrderBy(endpoint => endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
                {
                    var host = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
                        : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
                        : endpoint.Address;
                    var baseAddress = new UriBuilder("http", host.ToString(), endpoint.Port).Uri;
                    try
                    {
                        using var response = await probe.GetAsync(new Uri(baseAddress, "/alive"), cancellationToken);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            return new ServiceEndpoint(resource.Key, pid, baseAddress);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // Not HTTP, or TLS: try the next.
                    }
                }
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
