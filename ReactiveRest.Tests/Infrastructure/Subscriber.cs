using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Aspire.Hosting.Testing;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// A protocol client as a test sees it: one WebSocket to the observers, every frame it receives kept in order, and
/// the client-side reconstruction of each observed query that existing django-rest-framework-reactive clients do.
/// </summary>
public sealed class Subscriber : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly Dictionary<string, List<JsonElement>> _views = [];
    private readonly List<JsonElement> _unapplied = [];
    private Task? _receiving;

    private Subscriber(string id) => Id = id;

    public string Id { get; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<Subscriber> ConnectAsync(ReactiveRestApp app, string? id = null)
    {
        var subscriber = new Subscriber(id ?? "s" + Guid.NewGuid().ToString("N")[..16]);
        await subscriber.OpenAsync(app);
        return subscriber;
    }

    public static Uri WebSocketUri(ReactiveRestApp app, string path)
    {
        var endpoint = app.App.GetEndpoint("observers", "http");
        return new UriBuilder(endpoint) { Scheme = "ws", Path = path }.Uri;
    }

    public async Task OpenAsync(ReactiveRestApp app)
    {
        await _socket.ConnectAsync(WebSocketUri(app, $"/ws/{Id}"), TestContext.Current.CancellationToken);
        _receiving = ReceiveAsync();
    }

    /// <summary>GET with observe=this subscriber: the observer id and the items, which become this subscriber's view.</summary>
    public async Task<string> ObserveAsync(HttpClient api, string url)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var response = await api.GetAsync($"{url}{separator}observe={Id}", TestContext.Current.CancellationToken);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode} {body}");
        var observer = body.GetProperty("observer").GetString()!;
        lock (_views)
        {
            _views[observer] = [.. body.GetProperty("items").EnumerateArray()];
        }

        return observer;
    }

    /// <summary>The next frame, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _frames.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Subscriber {Id} received no frame in time.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The WebSocket of subscriber {Id} closed ({CloseStatus}).");
        }
    }

    /// <summary>Frames that arrive within <paramref name="window"/>.</summary>
    public async Task<List<JsonElement>> DrainAsync(TimeSpan window)
    {
        var frames = new List<JsonElement>();
        using var cancellation = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                frames.Add(await _frames.Reader.ReadAsync(cancellation.Token));
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            return frames;
        }
    }

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SendBinaryAsync(byte[] data) =>
        _socket.SendAsync(data, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);

    /// <summary>This subscriber's current reconstruction of an observed query, with every message received so far applied.</summary>
    public List<JsonElement> View(string observer)
    {
        lock (_views)
        {
            ApplyPending();
            return [.. _views[observer]];
        }
    }

    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        }

        if (_receiving is not null)
        {
            await _receiving;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (WebSocketException)
        {
        }

        _socket.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, length);
                var frame = text.StartsWith('{')
                    ? JsonDocument.Parse(text).RootElement.Clone()
                    : JsonSerializer.SerializeToElement(text);
                lock (_views)
                {
                    _unapplied.Add(frame);
                }

                await _frames.Writer.WriteAsync(frame);
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Applies messages as existing clients do: removed deletes by key; added inserts at order; changed moves the
    /// item to order (in place when already there) and is ignored for an unknown key. Messages for an observer whose
    /// GET has not answered yet wait for it.
    /// </summary>
    private void ApplyPending()
    {
        var waiting = new List<JsonElement>();
        foreach (var message in _unapplied)
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("observer", out var observerProperty))
            {
                continue;
            }

            if (!_views.TryGetValue(observerProperty.GetString()!, out var view))
            {
                waiting.Add(message);
                continue;
            }

            var key = message.GetProperty("item").GetProperty("id").GetInt32();
            var order = message.GetProperty("order").GetInt32();
            var index = view.FindIndex(item => item.GetProperty("id").GetInt32() == key);
            switch (message.GetProperty("msg").GetString())
            {
                case "removed":
                    Assert.True(index >= 0, $"removed for unknown key {key}");
                    view.RemoveAt(index);
                    break;
                case "added":
                    Assert.True(index < 0, $"added for present key {key}");
                    view.Insert(order, message.GetProperty("item"));
                    break;
                case "changed" when index >= 0:
                    view.RemoveAt(index);
                    view.Insert(order, message.GetProperty("item"));
                    break;
            }
        }

        _unapplied.Clear();
        _unapplied.AddRange(waiting);
    }
}
