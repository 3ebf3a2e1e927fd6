using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// Asks one Redis server one command over a connection of its own. The checks of cluster nodes use this rather than
/// StackExchange.Redis, which treats a node with no slots yet as a broken cluster and, once there is a cluster, follows
/// its topology instead of asking the node it was given.
/// </summary>
public static class RedisProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <returns>The reply, a simple or bulk string.</returns>
    /// <exception cref="InvalidOperationException">The server answered with an error (a wrong password, say).</exception>
    public static async Task<string> QueryAsync(int port, string password, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var stream = new BufferedStream(client.GetStream());
        await stream.WriteAsync(Encode(["AUTH", password]), timeout.Token);
        await stream.WriteAsync(Encode(command), timeout.Token);
        await stream.FlushAsync(timeout.Token);
        await ReadReplyAsync(stream, timeout.Token);
        return await ReadReplyAsync(stream, timeout.Token);
    }

    private static byte[] Encode(IReadOnlyList<string> command)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{command.Count}\r\n");
        foreach (var part in command)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<string> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(stream, cancellationToken);
        switch (line[0])
        {
            case '+' or ':':
                return line[1..];
            case '-':
                throw new InvalidOperationException(line[1..]);
            case '$':
                var length = int.Parse(line[1..], CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return "";
                }

                var data = new byte[length + 2];
                await stream.ReadExactlyAsync(data, cancellationToken);
                return Encoding.UTF8.GetString(data, 0, length);
            default:
                throw new InvalidOperationException($"Unexpected reply '{line}'.");
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, cancellationToken);
            if (one[0] == '\n' && line.Count > 0 && line[^1] == '\r')
            {
                return Encoding.UTF8.GetString([.. line], 0, line.Count - 1);
            }

            line.Add(one[0]);
        }
    }
}
