using System.Net;
using System.Net.Sockets;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Tests.AppHost;

/// <summary>
/// Ports chosen for local processes stay out of Linux's ephemeral range, companions (cluster bus ports) included, and
/// none is handed out twice within the process, although each is free again once handed out (the tests start several
/// stacks in one process).
/// </summary>
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

    [Fact]
    public async Task No_port_is_handed_out_twice_in_a_process_although_each_is_free_again()
    {
        // 500 of the 10000 ports in the range: drawn at random without the registry, a repeat would be all but certain
        // (about 12 expected), so this fails if the registry does not work.
        var single = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => Task.Run(FreePorts.Take, TestContext.Current.CancellationToken)));
        var cluster = FreePorts.TakeWithCompanions(3, 10000);
        int[] all = [.. single, .. cluster, .. cluster.Select(port => port + 10000)];

        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.All(all, port => Assert.True(FreePorts.WasHandedOut(port), $"Port {port} was not recorded."));
        // Free again (released before its process binds it): only the registry keeps it from being handed out again.
        AssertFree(single[0]);
        AssertFree(cluster[0] + 10000);
    }

    [Fact]
    public void A_port_this_process_never_handed_out_is_not_taken_for_one()
    {
        // The registry's check can fail: a port below the range was never handed out.
        Assert.False(FreePorts.WasHandedOut(1));
    }

    private static void AssertFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
    }
}
