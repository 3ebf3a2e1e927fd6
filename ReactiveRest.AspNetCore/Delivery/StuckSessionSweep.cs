using System.Diagnostics;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// Drops the connections of clients that stopped reading (see <see cref="SubscriberSession.AbortIfStuck"/>) and closes
/// those whose token expired (<see cref="SubscriberSession.CloseIfTokenExpired"/>): one periodic pass, no timer per socket.
/// </summary>
internal sealed class StuckSessionSweep(SessionRegistry sessions)
{
    public void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        var utcNow = DateTimeOffset.UtcNow;
        foreach (var session in sessions.All)
        {
            session.AbortIfStuck(now);
            session.CloseIfTokenExpired(utcNow);
        }
    }
}
