namespace ReactiveRest.Engine.Security;

/// <summary>A token sent on an open WebSocket, validated: whose it is and until when, or why it is refused.</summary>
public sealed record TokenCheck(string? User, DateTimeOffset Expires, string? Error)
{
    public static TokenCheck Refused(string error) => new(null, default, error);
}
