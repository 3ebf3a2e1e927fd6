using System.Collections.Concurrent;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// A subscriber connects again while its previous connection is still open, here or on another replica: the previous
/// one records where it stood and lets go before the new one attaches, so no update is lost or sent twice.
/// </summary>
internal sealed class SessionTakeover(ControlChannel control, SessionDetacher detacher)
{
    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Subscriber, string Connection), TaskCompletionSource> _releases = new();

    /// <summary>
    /// Another connection takes the subscriber over: this one sends its close frame (4000) after what it is sending,
    /// and records where it stood at once, without waiting for the old client to complete the close handshake.
    /// </summary>
    public async Task SupersedeAsync(SubscriberSession session)
    {
        session.RequestClose(SubscriberSession.Superseded, "Another connection took over this subscriber.");
        try
        {
            await session.CloseSent.WaitAsync(TakeoverWait);
        }
        catch (TimeoutException)
        {
            // Stuck sending to a client that does not read: what it was sent up to is still what it recorded.
        }

        await detacher.DetachAsync(session);
    }

    /// <summary>The previous connection is on another replica: it records where it stood, then lets go.</summary>
    public async Task TakeOverAsync(string subscriberId, string connectionId, string previousConnection)
    {
        var released = _releases.GetOrAdd((subscriberId, previousConnection), _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await control.PublishAsync(new ControlMessage(ControlKind.Takeover, subscriberId, connectionId));
            await released.Task.WaitAsync(TakeoverWait);
        }
        catch (TimeoutException)
        {
            // It did not answer: its positions stay unknown, and the client is told for what it does not resume.
        }
        finally
        {
            _releases.TryRemove((subscriberId, previousConnection), out _);
        }
    }

    /// <summary>A connection this replica was waiting for (see <see cref="TakeOverAsync"/>) let go.</summary>
    public void OnReleased(string subscriberId, string connectionId)
    {
        if (_releases.TryGetValue((subscriberId, connectionId), out var released))
        {
            released.TrySetResult();
        }
    }
}
