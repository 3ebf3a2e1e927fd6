namespace ReactiveRest.Benchmark.Clients;

/// <summary>A subscriber to connect: which observers replica serves its WebSocket, its group, and the queries it observes.</summary>
internal sealed record SubscriberSpec(string Id, Uri Replica, int Group, IReadOnlyList<string> Queries);
