using System.Net;
using System.Net.Sockets;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// Loopback ports free right now, for processes that must know their own port before they start: DCP allocates ports
/// only for the endpoints it proxies.
/// </summary>
/// <remarks>
/// A port is free only when it is looked at: it is released before redis-server or postgres binds it, and then nothing
/// holds it. Within one process (the tests start several stacks in one), every port handed out, and its companion, is
/// recorded and never handed out again, so two stacks of the process cannot be given the same port however their
/// starts interleave. Another process can still take a port in between; the range below the ephemeral one keeps
/// outgoing connections, the usual takers, out of it.
/// </remarks>
public static class FreePorts
{
    /// <summary>Below Linux's ephemeral range (32768 up), where outgoing connections take their ports.</summary>
    private const int RangeStart = 20000;
    private const int RangeEnd = 30000;
    private const int EphemeralStart = 32768;

    /// <summary>Every port this process handed out (companions included): never handed out again.</summary>
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>Whether this process handed out <paramref name="port"/> (for the tests of this class).</summary>
    public static bool WasHandedOut(int port)
    {
        lock (HandedOut)
        {
            return HandedOut.Contains(port);
        }
    }

    /// <summary>One loopback port free right now.</summary>
    public static int Take()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var held = new List<TcpListener>();
            var port = Random.Shared.Next(RangeStart, RangeEnd);
            try
            {
                if (TryHold(port, held) && TryRecord([port]))
                {
                    return port;
                }
            }
            finally
            {
                held.ForEach(listener => listener.Stop());
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
                if (!WasHandedOut(port) && !WasHandedOut(port + companionOffset) && TryHold(port, held) && TryHold(port + companionOffset, held))
                {
                    ports.Add(port);
                }
            }

            // Recorded together, all or none: another caller may have recorded one of them since it was checked.
            if (!TryRecord([.. ports, .. ports.Select(port => port + companionOffset)]))
            {
                return TakeWithCompanions(count, companionOffset);
            }

            return [.. ports];
        }
        finally
        {
            held.ForEach(listener => listener.Stop());
        }
    }

    /// <summary>Records <paramref name="ports"/> as handed out, unless any of them already was.</summary>
    private static bool TryRecord(IReadOnlyCollection<int> ports)
    {
        lock (HandedOut)
        {
            if (ports.Any(HandedOut.Contains))
            {
                return false;
            }

            HandedOut.UnionWith(ports);
            return true;
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
