using System.Net.WebSockets;

namespace ReactiveRest.Tests.Security;

/// <summary>How the observers answer a WebSocket upgrade: 101 (SwitchingProtocols) when accepted, else the refusal's status.</summary>
public static class WebSocketUpgrade
{
    public static async Task<HttpStatusCode> TryAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", TestContext.Current.CancellationToken);
        return HttpStatusCode.SwitchingProtocols;
    }
}
