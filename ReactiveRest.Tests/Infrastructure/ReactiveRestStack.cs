using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// One running instance of the whole distributed application, from the real AppHost in local-process mode: throwaway
/// redis-server and postgres processes on free ports and in a data folder of its own, the API and the observers.
/// </summary>
/// <param name="settings">AppHost settings (<c>key=value</c>) on top of the local-process mode and the data folder.</param>
public abstract class ReactiveRestStack(IReadOnlyList<string> settings) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;
    private string? _dataDirectory;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The application has not started.");

    public HttpClient CreateApiClient() => App.CreateHttpClient("api");

    public HttpClient CreateObserversClient() => App.CreateHttpClient("observers");

    public async ValueTask InitializeAsync()
    {
        // Throwaway data; under /tmp with a mode the postgres user can traverse when the tests run as root.
        _dataDirectory = Path.Combine(Path.GetTempPath(), $"reactiverest-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101);
        }

        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ReactiveRest_AppHost>(
            [
                $"{InfrastructureSettings.ModeKey}={InfrastructureMode.LocalProcesses}",
                $"{InfrastructureSettings.DataDirectoryKey}={_dataDirectory}",
                .. settings,
            ],
            (options, _) => options.DisableDashboard = true,
            cancellation.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("observers", cancellation.Token);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
