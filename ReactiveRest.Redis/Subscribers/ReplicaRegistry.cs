using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Subscribers;

/// <summary>
/// The replicas that serve WebSockets, and their liveness: each renews one key for itself, whatever the number of
/// connections it holds. A replica whose key expired is dead (or was cut off from Redis); its subscribers start their
/// grace period, which it cancels by asserting its connections again when it returns.
/// </summary>
public sealed class ReplicaRegistry(IConnectionMultiplexer redis, IOptions<ReactiveOptions> options, TimeProvider time)
{
    private readonly string _epoch = Guid.NewGuid().ToString("N");

    /// <summary>This process's replica id.</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Renews this replica's key.</summary>
    /// <returns>False when the key had expired or was lost: the replica must assert its connections again.</returns>
    public async Task<bool> RenewAsync() =>
        (long)await Database.ScriptEvaluateAsync(RedisScripts.ReplicaRenew,
            [RedisKeys.Replica(ReplicaId), RedisKeys.Replicas],
            [ReplicaId, (long)options.Value.ReplicaLifetime.TotalMilliseconds, _epoch]) == 1;

    public async Task<bool> IsAliveAsync(string replicaId) =>
        replicaId == ReplicaId || await Database.KeyExistsAsync(RedisKeys.Replica(replicaId));

    /// <summary>Starts the grace period of the subscribers of every replica found dead.</summary>
    /// <returns>How many subscribers were affected.</returns>
    public async Task<long> ReapDeadAsync()
    {
        var deadline = time.GetUtcNow().Add(options.Value.GracePeriod).ToUnixTimeMilliseconds();
        long reaped = 0;
        foreach (var member in await Database.SetMembersAsync(RedisKeys.Replicas))
        {
            var replicaId = member.ToString();
            if (replicaId == ReplicaId || await Database.KeyExistsAsync(RedisKeys.Replica(replicaId)))
            {
                continue;
            }

            reaped += Math.Max(0, (long)await Database.ScriptEvaluateAsync(RedisScripts.ReplicaReap,
                [RedisKeys.Replica(replicaId), RedisKeys.ReplicaSubscribers(replicaId), RedisKeys.Disconnected, RedisKeys.Replicas],
                [replicaId, deadline]));
        }

        return reaped;
    }

    /// <summary>Leaves the registry on a clean shutdown, after every connection was released.</summary>
    public async Task LeaveAsync()
    {
        await Database.KeyDeleteAsync(RedisKeys.Replica(ReplicaId));
        await Database.SetRemoveAsync(RedisKeys.Replicas, ReplicaId);
    }
}
