using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace ReactiveRest.Engine.Delivery;

/// <summary>The sessions this replica serves, at most one per subscriber.</summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, SubscriberSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public bool IsEmpty => _sessions.IsEmpty;

    public IEnumerable<SubscriberSession> All => _sessions.Values;

    public bool TryGet(string subscriberId, [NotNullWhen(true)] out SubscriberSession? session) => _sessions.TryGetValue(subscriberId, out session);

    /// <summary>Makes the session the subscriber's; the caller superseded the one before, if any.</summary>
    public void Set(SubscriberSession session) => _sessions[session.SubscriberId] = session;

    /// <summary>Removes the session unless a newer one of the same subscriber replaced it already.</summary>
    public void Remove(SubscriberSession session) =>
        _sessions.TryRemove(new KeyValuePair<string, SubscriberSession>(session.SubscriberId, session));
}
