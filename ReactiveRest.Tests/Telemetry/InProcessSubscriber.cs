using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace ReactiveRest.Tests.Telemetry;

/// <summary>A subscriber's WebSocket to the in-process observers replica, every frame it receives kept in order.</summary>
public sealed class InProcessSubscriber(string id, WebSocket socket) : IAsyncDisposable
{
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _received = new();
    private Task? _receiving;

    public string Id { get; } = id;

    public static async Task<InProcessSubscriber> ConnectAsync(Microsoft.AspNetCore.TestHost.TestServer server)
    {
        var id = "t" + Guid.NewGuid().ToString("N")[..16];
        var socket = await server.CreateWebSocketClient().ConnectAsync(
            new Uri(server.BaseAddress, $"/ws/{id}?access_token={Infrastructure.TestUsers.TokenFor(Infrastructure.TestUsers.Current)}"), TestContext.Current.CancellationToken);
        var subscriber = new InProcessSubscriber(id, socket);
        subscriber._receiving = subscriber.ReceiveAsync();
        return subscriber;
    }

    /// <summary>Whether the frame is the <c>added</c> message of the item with id <paramref name="id"/> in <paramref name="observer"/>.</summary>
    public static bool IsAdded(JsonElement frame, string observer, int id) =>
        frame.TryGetProperty("msg", out var msg) && msg.GetString() == "added"
        && frame.TryGetProperty("observer", out var of) && of.GetString() == observer
        && frame.GetProperty("item").GetProperty("id").GetInt32() == id;

    /// <summary>The next frame that satisfies <paramref name="match"/>; frames before it are skipped.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            JsonElement frame;
            try
            {
                frame = await _frames.Reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No such frame within {timeout}; received: {string.Join(", ", _received)}");
            }

            if (match(frame))
            {
                return frame;
            }
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                _received.Enqueue(text);
                if (text.StartsWith('{'))
                {
                    _frames.Writer.TryWrite(JsonDocument.Parse(text).RootElement.Clone());
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                // Output only: the receive loop reads the server's close reply.
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        if (_receiving is not null)
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        socket.Dispose();
    }
}
