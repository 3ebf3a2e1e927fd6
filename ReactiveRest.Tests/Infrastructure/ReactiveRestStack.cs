using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// One running instance of the whole distributed application, from the real AppHost in local-process mode: throwaway
/// redis-server and postgres processes on free ports and in a data folder of its own, the API and the observers.
/// </summary>
/// <param name="settings">
/// AppHost settings (<c>key=value</c>) on top of the local-process mode, the data folder and the test users' keys and
/// limits (<see cref="TestUsers.StackSettings"/>), which they may override.
/// </param>
public abstract class ReactiveRestStack(IReadOnlyList<string> settings) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;
    private string? _dataDirectory;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The application has not started.");

    /// <summary>A client of the API that runs as the current test's own user (<see cref="TestUsers.Current"/>).</summary>
    public HttpClient CreateApiClient() => CreateApiClient(TestUsers.Current);

    /// <summary>A client of the API that runs as <paramref name="user"/> (a bearer token); null for an anonymous one.</summary>
    public HttpClient CreateApiClient(string? user) => CreateClient("api").As(user);

    /// <summary>A client of the observers that runs as the current test's own user (<see cref="TestUsers.Current"/>).</summary>
    public HttpClient CreateObserversClient() => CreateObserversClient(TestUsers.Current);

    /// <summary>A client of the observers that runs as <paramref name="user"/>; null for an anonymous one.</summary>
    public HttpClient CreateObserversClient(string? user) => CreateClient("observers").As(user);

    /// <summary>
    /// Each client without a cookie jar: Aspire's clients share one, so a cookie the token endpoint sets for one test
    /// would silently authenticate another test's anonymous requests.
    /// </summary>
    private HttpClient CreateClient(string resource) =>
        new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = App.GetEndpoint(resource, "http") };

    /// <summary>Where local processes keep their data (Redis's append-only file is under <c>redis/</c>).</summary>
    public string DataDirectory => _dataDirectory ?? throw new InvalidOperationException("The application has not started.");

    /// <summary>The running processes of a resource (one per replica): resource id → process id.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ProcessesAsync(string resource)
    {
        var processes = new Dictionary<string, int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var state in App.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (state.Resource.Name != resource)
                {
                    continue;
                }

                var pid = state.Snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value;
                if (state.Snapshot.State?.Text == "Running" && pid is not null && int.TryParse(pid.ToString(), out var id))
                {
                    processes[state.ResourceId] = id;
                }
                else
                {
                    processes.Remove(state.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch replays the current state first; two seconds is plenty.
        }

        return processes;
    }

    /// <summary>
    /// kill -9, as a crash: no shutdown code runs. The whole tree, since DCP runs a project as <c>dotnet run</c>, whose
    /// child is the service itself.
    /// </summary>
    public static void Kill(int processId)
    {
        using var process = System.Diagnostics.Process.GetProcessById(processId);
        process.Kill(entireProcessTree: true);
        process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>Whether <paramref name="descendant"/> is <paramref name="ancestor"/> or runs under it (Linux /proc).</summary>
    public static bool IsWithin(int descendant, int ancestor)
    {
        for (var current = descendant; current > 1; current = ParentOf(current))
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static int ParentOf(int processId)
    {
        // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces: read after the last ')'.
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Starts a resource (or one replica, by its resource id) again and waits until it is healthy.</summary>
    public async Task RestartAsync(string resourceId, string resourceName)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var started = await App.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, timeout.Token);
        Assert.True(started.Success, started.Message);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, timeout.Token);
    }

    public virtual async ValueTask InitializeAsync()
    {
        // Throwaway data under /tmp; the AppHost creates it private (and, as root, the postgres user's folder beside it).
        _dataDirectory = Path.Combine(Path.GetTempPath(), $"reactiverest-tests-{Guid.NewGuid():N}");

        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ReactiveRest_AppHost>(
            [
                $"{InfrastructureSettings.ModeKey}={InfrastructureMode.LocalProcesses}",
                $"{InfrastructureSettings.DataDirectoryKey}={_dataDirectory}",
                .. TestUsers.StackSettings,
                .. settings,
            ],
            (options, _) => options.DisableDashboard = true,
            cancellation.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));

        _app = await builder.BuildAsync(cancellation.Token);
        OnStarting(_app);
        await _app.StartAsync(cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("observers", cancellation.Token);
    }

    /// <summary>Called once the application is built, before anything starts: to watch it from its first moment.</summary>
    protected virtual void OnStarting(DistributedApplication app)
    {
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_dataDirectory is not null)
        {
            foreach (var directory in new[] { _dataDirectory, InfrastructureSettings.PostgresDirectoryOf(_dataDirectory) }.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        GC.SuppressFinalize(this);
    }
}
