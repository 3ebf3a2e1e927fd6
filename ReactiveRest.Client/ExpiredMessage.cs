namespace ReactiveRest.Client;

/// <summary>The server cannot continue this observer exactly for this subscriber: observe it again.</summary>
internal sealed record ExpiredMessage(string Observer, string Reason) : ServerMessage;
