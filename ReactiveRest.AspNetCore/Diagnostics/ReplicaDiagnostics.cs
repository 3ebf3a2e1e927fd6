

namespace ReactiveRest.Engine.Diagnostics;

/// <summary>What one observers replica serves: its WebSocket connections and the observers they follow.</summary>
public sealed record ReplicaDiagnostics(string Replica, int Connections, IReadOnlyList<ObserverDiagnostics> Observers);
