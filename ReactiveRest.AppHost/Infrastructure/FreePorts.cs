using System.Net;
using System.Net.Sockets;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// Loopback ports free right now, for processes that must know their own port before they start: DCP allocates ports
/// only for the endpoints it proxies.
/// </summary>
public static class FreePorts
{
    /// <summary>Below Linux's ephemeral range (32768 up), where outgoing connections take their ports.</summary>
    private const int RangeStart = 20000;
    private const int RangeEnd = 30000;
    private const int EphemeralStart = 32768;

    /// <summary>One loopback port free right now.</summary>
    public static int Take()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var held = new List<TcpListener>();
            var port = Random.Shared.Next(RangeStart, RangeEnd);
            var free = TryHold(port, held);
            held.ForEach(listener => listener.Stop());
            if (free)
            {
                return port;
            }
        }

        throw new DistributedApplicationException($"Found no free loopback port between {RangeStart} and {RangeEnd}.");
    }

    /// <returns>
    /// <paramref name="count"/> distinct ports, each free together with the port <paramref name="companionOffset"/> above
    /// it; every listener stays open until all are chosen, so none repeats.
    /// </returns>
    public static int[] TakeWithCompanions(int count, int companionOffset)
    {
        var held = new List<TcpListener>();
        var ports = new List<int>();
        try
        {
            for (var attempt = 0; ports.Count < count; attempt++)
            {
                if (attempt == 1000)
                {
                    throw new DistributedApplicationException($"Found no {count} free loopback ports between {RangeStart} and {RangeEnd} with port + {companionOffset} free too.");
                }

                // The companion below the ephemeral range too (a cluster bus port at +10000 would otherwise land in it).
                var port = Random.Shared.Next(RangeStart, Math.Min(RangeEnd, EphemeralStart - companionOffset));
                if (TryHold(port, held) && TryHold(port + companionOffset, held))
                {
                    ports.Add(port);
                }
            }

            return [.. ports];
        }
        finally
        {
            held.ForEach(listener => listener.Stop());
        }
    }

    private static bool TryHold(int port, List<TcpListener> held)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            held.Add(listener);
            return true;
        }
        catch (SocketException)
        {
            listener.Stop();
            return false;
        }
    }
}
