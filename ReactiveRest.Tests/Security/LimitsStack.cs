using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ReactiveRest.Api.Extensions;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// A stack of its own with small limits, so that tests reach each one quickly. Two observers replicas (the AppHost's
/// default) and, on demand, a second API replica hosted in the test process over the same PostgreSQL and Redis: a
/// quota is one count whichever replica a request reaches.
/// </summary>
public sealed class LimitsStack() : ReactiveRestStack([.. Settings.Select(setting => $"{setting.Key}={setting.Value}")])
{
    public const int ObserversPerSubscriber = 3;
    public const int SocketsPerUser = 3;
    public const int ObserversPerUser = 4;
    /// <summary>More than <see cref="SocketsPerUser"/>: every socket holds a subscriber id.</summary>
    public const int SubscribersPerUser = 5;
    public const long StoredBytesPerUser = 24 * 1024;

    /// <summary>Observes and writes per user per second; bursts of twice as many pass.</summary>
    public const int PerSecond = 5;

    /// <summary>Short, so that a dead peer is dropped within seconds (see DeadPeerTests); every other client here reads all the time.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(2);

    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Reactive:KeepAliveInterval"] = $"{KeepAliveInterval}",
        ["Reactive:KeepAliveTimeout"] = $"{KeepAliveTimeout}",
        ["Reactive:MaxObserversPerSubscriber"] = $"{ObserversPerSubscriber}",
        ["Reactive:MaxSocketsPerUser"] = $"{SocketsPerUser}",
        ["Reactive:MaxObserversPerUser"] = $"{ObserversPerUser}",
        ["Reactive:MaxSubscribersPerUser"] = $"{SubscribersPerUser}",
        ["Reactive:MaxStoredBytesPerUser"] = $"{StoredBytesPerUser}",
        ["Reactive:ObservesPerSecondPerUser"] = $"{PerSecond}",
        ["Reactive:WritesPerSecondPerUser"] = $"{PerSecond}",
    };

    private readonly SemaphoreSlim _starting = new(1, 1);
    private WebApplicationFactory<BadRequestExceptionHandler>? _secondApi;

    /// <summary>A client of the second API replica, as <paramref name="user"/>.</summary>
    public async Task<HttpClient> CreateSecondApiClientAsync(string user)
    {
        await _starting.WaitAsync();
        try
        {
            if (_secondApi is null)
            {
                var cancellation = TestContext.Current.CancellationToken;
                var settings = TestUsers.ServiceSettings.Concat(Settings).GroupBy(setting => setting.Key).ToDictionary(group => group.Key, group => group.Last().Value);
                settings["ConnectionStrings:redis"] = (await App.GetConnectionStringAsync("redis", cancellation))!;
                settings["ConnectionStrings:reactivedb"] = (await App.GetConnectionStringAsync("reactivedb", cancellation))!;
                settings["Logging:LogLevel:Default"] = "Warning";
                _secondApi = new WebApplicationFactory<BadRequestExceptionHandler>().WithWebHostBuilder(web =>
                {
                    foreach (var (key, value) in settings)
                    {
                        // Settings, not app configuration: the database client reads its connection string while the host is built.
                        web.UseSetting(key, value);
                    }
                });
            }

            return _secondApi.CreateClient().As(user);
        }
        finally
        {
            _starting.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_secondApi is not null)
        {
            await _secondApi.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(nameof(LimitsCollection))]
public sealed class LimitsCollection : ICollectionFixture<LimitsStack>;
