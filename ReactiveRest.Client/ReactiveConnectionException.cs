namespace ReactiveRest.Client;

/// <summary>
/// The WebSocket stopped for a reason reconnecting cannot fix: another connection took this subscriber over (close
/// code 4000: another process is this subscriber), the server refused what this client sent, or refused the upgrade
/// itself (a 4xx other than 401, such as a malformed subscriber id). Every enumeration of the client ends with it.
/// </summary>
public sealed class ReactiveConnectionException(string message) : Exception(message);
