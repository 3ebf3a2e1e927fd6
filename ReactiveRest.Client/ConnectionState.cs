namespace ReactiveRest.Client;

/// <summary>Where a <see cref="ReactiveClient"/>'s WebSocket stands, for a UI to show.</summary>
public enum ConnectionState
{
    /// <summary>Opening the first connection; the lists already yielded come from their GETs.</summary>
    Connecting,

    /// <summary>Connected; every list continues exactly where it stood.</summary>
    Live,

    /// <summary>The connection dropped; the lists are kept and will resume where they stood once it is back.</summary>
    Reconnecting,

    /// <summary>
    /// Connected, and at least one list could not continue exactly: the server said it expired, or replaced a backlog by
    /// a resync run, so the list was rebuilt from a fresh GET or from that diff. The lists are exact again; what is lost
    /// is only the individual changes in between. Lasts until the next drop.
    /// </summary>
    Resynced,

    /// <summary>Disposed, or stopped for good (another connection took this subscriber over).</summary>
    Closed,
}
