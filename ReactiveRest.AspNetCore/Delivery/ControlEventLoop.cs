using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Engine.Subscribers;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Reads the subscription events of the control stream in order and applies those that concern this replica's
/// sessions: a subscription made (attached at its first position), ended (detached), a takeover asked of a local
/// connection, and a connection elsewhere that let go. Woken at once by pub/sub; a one-second read is the safety net.
/// </summary>
internal sealed class ControlEventLoop(
    IConnectionMultiplexer redis,
    ControlChannel control,
    SessionRegistry sessions,
    SubscriptionResumer resumer,
    FeedCache feeds,
    SessionTakeover takeover,
    ILogger<ControlEventLoop> logger) : BackgroundService
{
    private const int ReadCount = 100;

    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Where this replica stands in the control stream; read and advanced under <see cref="_gate"/>.</summary>
    private RedisValue? _lastId;

    private readonly SemaphoreSlim _gate = new(1, 1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.ControlWake), (_, _) =>
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        });
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await DrainAsync(stoppingToken);
                failures = 0;
                if (handled == 0)
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (failures++ == 0)
                {
                    logger.LogWarning(exception, "Reading subscription events failed; retrying every second");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Handles every control event published so far, in order; one reader at a time.</summary>
    /// <returns>How many events were read.</returns>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var handled = 0;
            while (true)
            {
                _lastId ??= await control.LastIdAsync();
                var events = await control.ReadAsync(_lastId.Value, ReadCount);
                foreach (var (id, message) in events)
                {
                    _lastId = id;
                    handled++;
                    if (message is not null)
                    {
                        await ApplyAsync(message);
                    }
                }

                if (events.Count < ReadCount)
                {
                    return handled;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyAsync(ControlMessage message)
    {
        try
        {
            switch (message.Kind)
            {
                case ControlKind.Subscribed when sessions.TryGet(message.SubscriberId, out var session):
                    await resumer.ResumeAsync(session, message.Argument, message.Seq, message.Seq.ToString(CultureInfo.InvariantCulture));
                    break;
                case ControlKind.Unsubscribed when sessions.TryGet(message.SubscriberId, out var session):
                    if (session.RemoveCursor(message.Argument) is { } cursor)
                    {
                        feeds.Release(cursor);
                    }

                    break;
                case ControlKind.Takeover when sessions.TryGet(message.SubscriberId, out var session) && session.ConnectionId != message.Argument:
                    _ = takeover.SupersedeAsync(session);
                    break;
                case ControlKind.Released:
                    takeover.OnReleased(message.SubscriberId, message.Argument);
                    break;
            }
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Handling {Control} failed", message);
        }
    }
}
