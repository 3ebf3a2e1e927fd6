namespace ReactiveRest.Engine.Reactive;

/// <summary>Settings of the reactive layer, read from the <c>Reactive</c> section by the API and the observers alike.</summary>
public sealed class ReactiveOptions
{
    public const string SectionName = "Reactive";

    /// <summary>How long the subscriptions of a subscriber whose WebSocket closed survive, so a quick reconnect keeps them.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Larger incoming WebSocket messages close the connection with 1009 (message too big).</summary>
    public int MaxIncomingMessageBytes { get; set; } = 4096;

    /// <summary>Messages kept for a subscriber that is not connected; older ones are trimmed.</summary>
    public int MaxQueuedMessages { get; set; } = 10_000;
}
