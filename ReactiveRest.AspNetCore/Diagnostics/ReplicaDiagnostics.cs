

namespace ReactiveRest.Engine.Diagnostics;

/// <summary>What one observers replica serves the caller: the caller's WebSocket connections there and the observers they follow.</summary>
public sealed record ReplicaDiagnostics(string Replica, int Connections, IReadOnlyList<ObserverDiagnostics> Observers);
