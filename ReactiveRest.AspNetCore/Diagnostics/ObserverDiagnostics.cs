

namespace ReactiveRest.Engine.Diagnostics;

/// <summary>
/// One observer as a replica sees it: the subscribers it delivers to from this replica, and, from Redis, its query, its
/// subscribers on every replica (connected or in their grace period) and how often it was evaluated.
/// </summary>
/// <param name="Seq">The seq of the last message this replica's feed holds.</param>
/// <param name="TotalSubscribers">Subscribers on every replica; null when the observer was dropped meanwhile.</param>
public sealed record ObserverDiagnostics(
    string Observer,
    string? Url,
    long Seq,
    IReadOnlyList<string> Subscribers,
    int? TotalSubscribers,
    long? Evaluations,
    long? Changes);
