using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ReactiveRest.Api.Extensions;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Observers.Hosting;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Telemetry;

/// <summary>
/// A stack of its own whose one observers replica is stopped once the stack is up; the API and an observers replica then
/// run in the test process (their real Programs, through <see cref="WebApplicationFactory{TEntryPoint}"/>) on the
/// stack's PostgreSQL and Redis, with in-memory exporters. The in-process replica is then the only one: it relays,
/// consumes and evaluates every change and serves the test's WebSockets, so the tests see what each part records.
/// </summary>
public sealed class TelemetryStack() : ReactiveRestStack(["Observers:Replicas=1"])
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(1);

    private WebApplicationFactory<BadRequestExceptionHandler>? _api;
    private WebApplicationFactory<SmallBlockMemoryPoolFactory>? _observers;

    /// <summary>Spans ended in either in-process service (each service's tracer sees both: listeners go by source name).</summary>
    public LockedList<Activity> Spans { get; } = new();

    /// <summary>What the in-process observers replica's meter provider exported at its last flush.</summary>
    public LockedList<MetricSnapshot> Metrics { get; } = new();

    public WebApplicationFactory<BadRequestExceptionHandler> Api => _api ?? throw new InvalidOperationException("Not started.");

    public WebApplicationFactory<SmallBlockMemoryPoolFactory> Observers => _observers ?? throw new InvalidOperationException("Not started.");

    /// <summary>The instruments' values now: collected and exported at once (the periodic export never runs on its own).</summary>
    public IReadOnlyList<MetricSnapshot> CollectMetrics()
    {
        Metrics.Clear();
        Assert.True(Observers.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        return Metrics.Snapshot();
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ReadyTimeout);

        // Killed rather than stopped: DCP's stop of a project can outlast its own timeout on a busy machine. Either way
        // the replica's PostgreSQL session ends, and with it its hold on the relay.
        var replicas = await ProcessesAsync("observers");
        Assert.NotEmpty(replicas);
        foreach (var process in replicas.Values)
        {
            Kill(process);
        }

        var redis = await App.GetConnectionStringAsync("redis", timeout.Token);
        var database = await App.GetConnectionStringAsync("reactivedb", timeout.Token);
        // The replica first: a meter provider keeps the first of same-named instruments it sees and drops the others, so
        // the replica's ReactiveRest meter must exist before the API's does.
        _observers = Host<SmallBlockMemoryPoolFactory>(redis!, database!, Metrics);
        _ = _observers.Server;
        _api = Host<BadRequestExceptionHandler>(redis!, database!, metrics: null);
        _ = _api.Server;

        // The stopped replica's session ended, so its advisory lock is free: the in-process relay takes it within a second.
        var relay = _observers.Services.GetServices<IHostedService>().OfType<ChangeRelay>().Single();
        while (!relay.IsLeader)
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private WebApplicationFactory<T> Host<T>(string redis, string database, LockedList<MetricSnapshot>? metrics) where T : class =>
        new WebApplicationFactory<T>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:redis", redis)
            .UseSetting("ConnectionStrings:reactivedb", database)
            .UseSetting("Logging:LogLevel:Default", "Warning")
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(TestUsers.ServiceSettings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value))))
            .ConfigureServices(services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
                if (metrics is not null)
                {
                    services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics, options =>
                        options.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)TimeSpan.FromHours(1).TotalMilliseconds));
                }
            }));

    public override async ValueTask DisposeAsync()
    {
        if (_observers is not null)
        {
            await _observers.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
