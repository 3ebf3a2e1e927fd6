namespace ReactiveRest.Client;

/// <summary>The answer to a client frame the server does not support; this client sends none, so it is only ignored.</summary>
internal sealed record ErrorMessage(string Error, string? Detail) : ServerMessage;
