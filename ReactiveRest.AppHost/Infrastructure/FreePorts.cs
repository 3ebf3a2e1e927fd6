using System.Net;
using System.Net.Sockets;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// Loopback ports free right now, for processes that must know their own port before they start: DCP allocates ports
/// only for the endpoints it proxies.
/// </summary>
public static class FreePorts
{
    /// <returns><paramref name="count"/> distinct ports; each listener stays open until all are taken, so none repeats.</returns>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(listener => listener.Start());
            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(listener => listener.Stop());
        }
    }
}
