using System.Net;
using System.Net.Sockets;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Tests.AppHost;

/// <summary>Ports chosen for local processes stay out of Linux's ephemeral range, companions (cluster bus ports) included.</summary>
public sealed class FreePortsTests
{
    private const int EphemeralStart = 32768;

    [Fact]
    public void Cluster_ports_and_their_bus_ports_are_distinct_free_and_below_the_ephemeral_range()
    {
        for (var round = 0; round < 20; round++)
        {
            var ports = FreePorts.TakeWithCompanions(3, 10000);
            Assert.Equal(3, ports.Distinct().Count());
            Assert.All(ports, port =>
            {
                Assert.InRange(port + 10000, 1, EphemeralStart - 1);
                AssertFree(port);
                AssertFree(port + 10000);
            });
        }
    }

    [Fact]
    public void A_single_port_is_free_and_below_the_ephemeral_range()
    {
        var port = FreePorts.Take();
        Assert.InRange(port, 1, EphemeralStart - 1);
        AssertFree(port);
    }

    private static void AssertFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
    }
}
