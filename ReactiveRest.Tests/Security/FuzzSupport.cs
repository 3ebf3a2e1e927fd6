using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>Whether a credential authenticates: <see cref="Odd"/> ones are signed right but name their user oddly.</summary>
public enum Validity
{
    Valid,
    Invalid,
    Odd,
}

/// <summary>An Authorization header value (null: none), the bare token, what it is (for the counts) and whether it authenticates.</summary>
public sealed record FuzzCredential(string Label, string? Authorization, string? Token, Validity Validity);

/// <summary>Tokens that are wrong in every way a client's or an attacker's can be, and a few that are right.</summary>
public static class FuzzTokens
{
    /// <summary>
    /// Every credential the fuzz tests pick from. <paramref name="user"/>'s valid token comes several times, so that
    /// most requests get past authentication and reach the handlers; <paramref name="runId"/> keeps the odd subjects
    /// this run's own.
    /// </summary>
    public static IReadOnlyList<FuzzCredential> All(string user, string other, string runId)
    {
        var valid = TestUsers.TokenFor(user);
        var now = DateTime.UtcNow;
        var unsigned = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
                       Base64UrlEncoder.Encode($"{{\"sub\":\"{user}\",\"iss\":\"reactiverest\",\"aud\":\"reactiverest\",\"exp\":{new DateTimeOffset(now.AddHours(1)).ToUnixTimeSeconds()}}}") + ".";
        var credentials = new List<FuzzCredential>();
        for (var i = 0; i < 20; i++)
        {
            credentials.Add(Bearer("valid", Validity.Valid, valid));
        }

        credentials.AddRange(
        [
            Bearer("valid, other user", Validity.Valid, TestUsers.TokenFor(other)),
            new("none", null, null, Validity.Invalid),
            new("'Bearer'", "Bearer", null, Validity.Invalid),
            new("'Bearer '", "Bearer ", "", Validity.Invalid),
            new("Bearer x", "Bearer x", "x", Validity.Invalid),
            new("Bearer a.b.c", "Bearer a.b.c", "a.b.c", Validity.Invalid),
            new("Basic", "Basic dXNlcjpwYXNz", null, Validity.Invalid),
            new("lowercase bearer", "bearer " + valid, valid, Validity.Valid),
            new("two spaces", "Bearer  " + valid, valid, Validity.Valid),
            new("two tokens", $"Bearer {valid}, Bearer {valid}", null, Validity.Invalid),
            new("tampered signature", "Bearer " + Tampered(valid), Tampered(valid), Validity.Invalid),
            new("huge", "Bearer " + new string('A', 12_000), new string('A', 12_000), Validity.Invalid),
            Bearer("expired", Validity.Invalid, TestUsers.Mint(Subject(user), notBefore: now.AddHours(-3), expires: now.AddHours(-2))),
            Bearer("not yet valid", Validity.Invalid, TestUsers.Mint(Subject(user), notBefore: now.AddHours(2), expires: now.AddHours(3))),
            Bearer("other key", Validity.Invalid, TestUsers.Mint(Subject(user), key: "another-signing-key-0123456789abcdef-0123456789")),
            Bearer("wrong issuer", Validity.Invalid, TestUsers.Mint(Subject(user), issuer: "evil")),
            Bearer("wrong audience", Validity.Invalid, TestUsers.Mint(Subject(user), audience: "someone-else")),
            Bearer("alg none", Validity.Invalid, unsigned),
            // Signed with the right key, so authenticated; what they name is odd (an OIDC provider may issue any of these).
            Bearer("no sub", Validity.Odd, TestUsers.Mint(new Dictionary<string, object> { ["name"] = "fz" + runId })),
            Bearer("empty sub", Validity.Odd, TestUsers.Mint(Subject(""))),
            Bearer("300-char sub", Validity.Odd, TestUsers.Mint(Subject("fz" + runId + new string('u', 300)))),
            Bearer("sub with NUL", Validity.Odd, TestUsers.Mint(Subject($"fz{runId}\u0000nul"))),
            Bearer("sub with newline", Validity.Odd, TestUsers.Mint(Subject($"fz{runId}\n"))),
            Bearer("unicode sub", Validity.Odd, TestUsers.Mint(Subject($"fz{runId}-ünï-😀"))),
            Bearer("sub with :{}", Validity.Odd, TestUsers.Mint(Subject($"fz{runId}:{{tag}}:x"))),
            Bearer("numeric sub", Validity.Odd, TestUsers.Mint(new Dictionary<string, object> { ["sub"] = 4242 })),
            Bearer("sub array", Validity.Odd, TestUsers.Mint(new Dictionary<string, object> { ["sub"] = new[] { "fz" + runId + "a", "fz" + runId + "b" } })),
        ]);
        return credentials;

        static FuzzCredential Bearer(string label, Validity validity, string token) => new(label, "Bearer " + token, token, validity);

        // The signature's last characters changed: the same header and claims, signed by no one.
        static string Tampered(string token) => token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");

        static Dictionary<string, object> Subject(string name) => new() { ["sub"] = name };
    }
}

/// <summary>Counts of outcomes, printed as a table.</summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string key) => _counts.AddOrUpdate(key, 1, (_, count) => count + 1);

    public int Total => _counts.Values.Sum();

    public int Count(Func<string, bool> match) => _counts.Where(pair => match(pair.Key)).Sum(pair => pair.Value);

    public string Table(string title) =>
        title + "\n" + string.Join("\n", _counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"  {pair.Key,-72} {pair.Value,6}"));
}

/// <summary>A WebSocket client for the fuzz: keeps every frame it receives, completes the close handshake, notes how it ended.</summary>
public sealed class FuzzSocket : IAsyncDisposable
{
    private readonly Channel<(WebSocketMessageType Type, string Text)> _frames = Channel.CreateUnbounded<(WebSocketMessageType, string)>();
    private Task _receiving = Task.CompletedTask;

    private FuzzSocket(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>The server's close code, once it sent one.</summary>
    public WebSocketCloseStatus? CloseStatus => Socket.CloseStatus;

    /// <summary>The connection ended without a close frame from the server.</summary>
    public bool Aborted { get; private set; }

    /// <returns>The socket when upgraded; else null and the HTTP status of the refusal (0 when there was none).</returns>
    public static async Task<(FuzzSocket? Socket, int Status, string? Error)> ConnectAsync(
        Uri uri, HttpMessageInvoker invoker, IEnumerable<(string Name, string Value)> headers, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        foreach (var (name, value) in headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await socket.ConnectAsync(uri, invoker, timeout.Token);
        }
        catch (Exception exception) when (exception is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            return (null, status, status == 0 ? exception.GetType().Name + ": " + exception.Message : null);
        }

        var fuzz = new FuzzSocket(socket);
        fuzz._receiving = fuzz.ReceiveAsync();
        return (fuzz, (int)socket.HttpStatusCode, null);
    }

    public Task SendTextAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);

    public async Task SendAsync(byte[] data, WebSocketMessageType type, CancellationToken cancellationToken, int fragments = 1)
    {
        var size = Math.Max(1, (data.Length + fragments - 1) / fragments);
        for (var offset = 0; ; offset += size)
        {
            var last = offset + size >= data.Length;
            await Socket.SendAsync(data.AsMemory(offset, Math.Min(size, data.Length - offset)), type, last, cancellationToken);
            if (last)
            {
                return;
            }
        }
    }

    /// <summary>The next frame; null once the connection ended; a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<(WebSocketMessageType Type, string Text)?> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancellation.CancelAfter(timeout);
        try
        {
            return await _frames.Reader.ReadAsync(cancellation.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No frame and no close within {timeout.TotalSeconds} s.");
        }
    }

    /// <summary>Waits until the connection ended: true if it did within <paramref name="timeout"/>.</summary>
    public async Task<bool> EndedAsync(TimeSpan timeout)
    {
        try
        {
            await _receiving.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (Socket.State == WebSocketState.Open || Socket.State == WebSocketState.CloseSent)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length = Math.Min(length + result.Count, buffer.Length - 1);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (Socket.State == WebSocketState.CloseReceived)
                    {
                        await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    }

                    return;
                }

                await _frames.Writer.WriteAsync((result.MessageType, Encoding.UTF8.GetString(buffer, 0, length)));
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Aborted = Socket.CloseStatus is null;
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        await _receiving.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        Socket.Dispose();
    }
}

/// <summary>
/// A WebSocket written byte by byte over TCP, to send what no WebSocket library sends: unmasked frames, reserved bits
/// and opcodes, oversized control frames, lengths that lie.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <returns>The socket and the upgrade's status line's code (the socket only when 101).</returns>
    public static async Task<(RawWebSocket? Socket, int Status)> ConnectAsync(Uri server, string pathAndQuery, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(server.Host, server.Port, cancellationToken);
        }
        catch (SocketException)
        {
            tcp.Dispose();
            return (null, 0);
        }

        var raw = new RawWebSocket(tcp);
        try
        {
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await raw._stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
            var head = new List<byte>();
            var one = new byte[1];
            while (head.Count < 16_384 && !(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
            {
                if (await raw._stream.ReadAsync(one, cancellationToken) == 0)
                {
                    break;
                }

                head.Add(one[0]);
            }

            var statusLine = Encoding.ASCII.GetString([.. head]).Split("\r\n")[0].Split(' ');
            var status = statusLine.Length > 1 && int.TryParse(statusLine[1], out var code) ? code : 0;
            if (status == 101)
            {
                return (raw, status);
            }

            await raw.DisposeAsync();
            return (null, status);
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            await raw.DisposeAsync();
            return (null, 0);
        }
    }

    /// <summary>One frame: <paramref name="head"/> is FIN, RSV and opcode; the length written may lie about the payload.</summary>
    public static byte[] Frame(byte head, byte[] payload, bool mask = true, ulong? declaredLength = null)
    {
        var frame = new List<byte> { head };
        var length = declaredLength ?? (ulong)payload.Length;
        var maskBit = (byte)(mask ? 0x80 : 0);
        if (length < 126)
        {
            frame.Add((byte)(maskBit | (byte)length));
        }
        else if (length <= 0xFFFF)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(length >> 8));
            frame.Add((byte)length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                frame.Add((byte)(length >> shift));
            }
        }

        if (!mask)
        {
            frame.AddRange(payload);
            return [.. frame];
        }

        var key = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(key);
        frame.AddRange(payload.Select((value, index) => (byte)(value ^ key[index % 4])));
        return [.. frame];
    }

    public async Task<bool> SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            // The server closed already.
            return false;
        }
    }

    /// <summary>Pings the server sent while <see cref="ReadOutcomeAsync"/> read; this socket answers none.</summary>
    public int PingsReceived { get; private set; }

    /// <summary>
    /// Reads server frames until a text frame satisfying <paramref name="until"/>, a close frame or the end of the
    /// connection: "text", "close NNNN", "eof"; "silent" when nothing decisive came within <paramref name="timeout"/>.
    /// </summary>
    public async Task<string> ReadOutcomeAsync(Func<string, bool> until, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancellation.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var head = await ReadExactlyAsync(2, cancellation.Token);
                if (head is null)
                {
                    return "eof";
                }

                var length = (ulong)(head[1] & 0x7F);
                if (length == 126 && await ReadExactlyAsync(2, cancellation.Token) is { } two)
                {
                    length = (ulong)(two[0] << 8 | two[1]);
                }
                else if (length == 127 && await ReadExactlyAsync(8, cancellation.Token) is { } eight)
                {
                    length = eight.Aggregate(0UL, (value, part) => value << 8 | part);
                }

                var payload = await ReadExactlyAsync((int)Math.Min(length, 1 << 20), cancellation.Token);
                if (payload is null)
                {
                    return "eof";
                }

                var opcode = head[0] & 0x0F;
                if (opcode == 9)
                {
                    // Never answered: a test of dead peers counts them.
                    PingsReceived++;
                }

                if (opcode == 8)
                {
                    return payload.Length >= 2 ? $"close {payload[0] << 8 | payload[1]}" : "close (no code)";
                }

                if (opcode == 1 && until(Encoding.UTF8.GetString(payload)))
                {
                    return "text";
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "silent";
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            return "eof";
        }
    }

    private async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken);
            return buffer;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
