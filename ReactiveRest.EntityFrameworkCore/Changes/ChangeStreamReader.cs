using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Reads captured changes from the change stream as one consumer of the observers' group (each entry reaches one
/// replica) and hands them to the <see cref="IChangeHandler"/> (the <see cref="ChangeMatcher"/>). Woken by pub/sub; a
/// one-second safety net covers a lost wake-up.
/// </summary>
public sealed class ChangeStreamReader(IConnectionMultiplexer redis, IChangeHandler handler, ILogger<ChangeStreamReader> logger) : BackgroundService
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>This process's name in the consumer group.</summary>
    public static readonly string Name = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.ChangesWake), (_, _) => WakeOnce());
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var entries = await redis.GetDatabase().StreamReadGroupAsync(
                    RedisKeys.Changes, RedisKeys.ChangesGroup, Name, StreamPosition.NewMessages, count: 100);
                failures = 0;
                if (entries.Length == 0)
                {
                    await _wake.WaitAsync(SafetyNet, stoppingToken);
                    continue;
                }

                await handler.HandleAsync(entries);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis lost its data: the group goes with it.
                await EnsureGroupAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (failures++ == 0)
                {
                    logger.LogWarning(exception, "Reading changes failed; retrying every {Delay}", SafetyNet);
                }

                await Task.Delay(SafetyNet, stoppingToken);
            }
        }
    }

    /// <summary>One pending wake-up is enough: the next read takes everything there is.</summary>
    private void WakeOnce()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(RedisKeys.Changes, RedisKeys.ChangesGroup, "0-0", createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica created it first.
        }
    }
}
