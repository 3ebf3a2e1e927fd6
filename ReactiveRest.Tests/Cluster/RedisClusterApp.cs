using Aspire.Hosting.Testing;
using ReactiveRest.AppHost.Infrastructure;
using ReactiveRest.Tests.Infrastructure;
using StackExchange.Redis;

namespace ReactiveRest.Tests.Cluster;

/// <summary>
/// A second instance of the whole application, whose Redis is a local three-master Redis Cluster
/// (<c>Infrastructure:RedisCluster=true</c>), for the tests of <see cref="RedisClusterTests"/>. With a client of its
/// own on the cluster, to look at where keys live.
/// </summary>
public sealed class RedisClusterApp() : ReactiveRestStack(
[
    $"{InfrastructureSettings.RedisClusterKey}=true",
    $"Reactive:GracePeriod={ReactiveRestApp.GracePeriod}",
])
{
    private ConnectionMultiplexer? _redis;

    /// <summary>A client on the <c>redis</c> connection string the services are given, as they see the cluster.</summary>
    public async Task<IConnectionMultiplexer> RedisAsync()
    {
        if (_redis is null)
        {
            var connectionString = await App.GetConnectionStringAsync("redis", TestContext.Current.CancellationToken);
            var connected = await ConnectionMultiplexer.ConnectAsync(connectionString!);
            if (Interlocked.CompareExchange(ref _redis, connected, null) is not null)
            {
                await connected.DisposeAsync();
            }
        }

        return _redis;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
