namespace ReactiveRest.Benchmark.Clients;

/// <summary>
/// A subscriber to connect: which observers replica serves its WebSocket, its group, the queries it observes, and the
/// API client of the user it runs as (null: the case's own).
/// </summary>
internal sealed record SubscriberSpec(string Id, Uri Replica, int Group, IReadOnlyList<string> Queries, ApiClient? As = null);
