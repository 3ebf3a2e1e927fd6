using System.Diagnostics;

namespace ReactiveRest.Engine.Delivery;

/// <summary>Drops the connections of clients that stopped reading (see <see cref="SubscriberSession.AbortIfStuck"/>).</summary>
internal sealed class StuckSessionSweep(SessionRegistry sessions)
{
    public void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var session in sessions.All)
        {
            session.AbortIfStuck(now);
        }
    }
}
