using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>Makes the nodes of a <see cref="LocalRedisClusterResource"/> one cluster, and says when it serves every slot.</summary>
public static partial class LocalRedisCluster
{
    private const int SlotCount = 16384;

    /// <summary>
    /// Assigns the slots among the nodes with <c>redis-cli --cluster create</c>, unless they are assigned already: a
    /// node that restarts within a run rejoins from its nodes.conf, and its readiness calls this again.
    /// </summary>
    public static async Task CreateAsync(LocalRedisClusterResource cluster, string redisCli, ILogger logger, CancellationToken cancellationToken)
    {
        var password = await cluster.Password.GetValueAsync(cancellationToken) ?? "";
        var info = await RedisProbe.QueryAsync(cluster.Nodes[0].Port, password, ["CLUSTER", "INFO"], cancellationToken);
        if (info.Contains($"cluster_slots_assigned:{SlotCount}", StringComparison.Ordinal))
        {
            logger.LogInformation("The cluster's slots are assigned already");
            return;
        }

        logger.LogInformation("Creating a Redis Cluster of {Nodes}", string.Join(", ", cluster.Nodes.Select(node => $"{node.Name} (127.0.0.1:{node.Port})")));
        var start = new ProcessStartInfo(redisCli,
            ["--cluster", "create", .. cluster.Nodes.Select(node => $"127.0.0.1:{node.Port}"), "--cluster-replicas", "0", "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // In the environment, where redis-cli looks for it, rather than after -a, where ps would show it.
            Environment = { ["REDISCLI_AUTH"] = password },
        };
        using var process = Process.Start(start) ?? throw new DistributedApplicationException($"Could not start {redisCli}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        foreach (var line in ((await output) + (await errors)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            logger.LogInformation("redis-cli: {Line}", Colors().Replace(line, ""));
        }

        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"redis-cli --cluster create failed with exit code {process.ExitCode}; its output is in the log of {cluster.Name}.");
        }
    }

    /// <summary>Healthy when every node answers and says <c>cluster_state:ok</c>: each serves its slots and knows who serves the rest.</summary>
    public static async Task<HealthCheckResult> CheckAsync(LocalRedisClusterResource cluster, CancellationToken cancellationToken)
    {
        var password = await cluster.Password.GetValueAsync(cancellationToken) ?? "";
        foreach (var node in cluster.Nodes)
        {
            string info;
            try
            {
                info = await RedisProbe.QueryAsync(node.Port, password, ["CLUSTER", "INFO"], cancellationToken);
            }
            catch (Exception exception) when (exception is SocketException or IOException or InvalidOperationException
                                              or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"{node.Name} does not answer.", exception);
            }

            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                var state = info.Split('\n').FirstOrDefault(line => line.StartsWith("cluster_state:", StringComparison.Ordinal))?.Trim();
                return HealthCheckResult.Unhealthy($"{node.Name} says {state ?? "no cluster_state"}.");
            }
        }

        return HealthCheckResult.Healthy();
    }

    /// <summary>Healthy when the node answers PING; it need not be in a cluster yet, since it must answer before one is made.</summary>
    public static async Task<HealthCheckResult> CheckNodeAsync(LocalRedisClusterNodeResource node, ParameterResource password, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await RedisProbe.QueryAsync(node.Port, await password.GetValueAsync(cancellationToken) ?? "", ["PING"], cancellationToken);
            return reply == "PONG" ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"PING answered {reply}.");
        }
        catch (Exception exception) when (exception is SocketException or IOException or InvalidOperationException
                                          or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{node.Name} does not answer.", exception);
        }
    }

    /// <summary>redis-cli colours its cluster messages even when its output is not a terminal.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Colors();
}
