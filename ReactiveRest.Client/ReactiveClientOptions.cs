using System.Text.Json;

namespace ReactiveRest.Client;

public sealed class ReactiveClientOptions
{
    /// <summary>The API's base address: observe GETs and unsubscribes go there.</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>The observers' base address (http or https); the WebSocket is opened at <c>ws(s)://…/ws/{subscriber}</c>.</summary>
    public required Uri ObserversUrl { get; init; }

    /// <summary>
    /// Called before every request and every connection attempt, so a provider that refreshes tokens is honoured on the
    /// next reconnect. The token goes in <c>Authorization: Bearer</c> over HTTP and in <c>?access_token=</c> on the
    /// WebSocket, whose upgrade request cannot carry headers from a browser (the server accepts both the same way).
    /// When the socket's token expires, the observers close it with 4001 and the client reconnects at once with the
    /// provider's next token, resuming every list where it stood: a provider must return a fresh token by then.
    /// <c>null</c>: anonymous.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; init; }

    /// <summary>
    /// When set (with a <see cref="TokenProvider"/> whose tokens are JWTs with <c>exp</c>): this long before the socket's
    /// token expires, the provider's next token is sent on the open socket, so the socket stays open instead of being
    /// closed with 4001 and reconnecting. <c>null</c> (the default): the client reconnects after each 4001.
    /// </summary>
    public TimeSpan? RenewTokenBefore { get; init; }

    /// <summary>1 to 64 characters of <c>[A-Za-z0-9_-]</c>; <c>null</c> picks a random one.</summary>
    public string? SubscriberId { get; init; }

    /// <summary>Used for the GETs and unsubscribes instead of a client of its own (it is not disposed).</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>How items become <c>T</c>; the web defaults (camelCase) when <c>null</c>.</summary>
    public JsonSerializerOptions? SerializerOptions { get; init; }

    /// <summary>The first reconnect waits about this long; each failed attempt doubles it, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan InitialReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);
}
