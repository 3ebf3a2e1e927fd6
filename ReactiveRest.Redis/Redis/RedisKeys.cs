namespace ReactiveRest.Engine.Redis;

/// <summary>
/// Every Redis key and channel of the reactive layer, built here and nowhere else (docs/architecture.md shows the
/// layout). Keys carry hash tags so that each Lua script touches one Redis Cluster slot: an observer's keys share
/// <c>{observer id}</c>, a subscriber's share <c>{s:subscriber id}</c>, and the few global keys share <c>{rr}</c>.
/// </summary>
public static class RedisKeys
{
    /// <summary>Stream of captured row changes, read by the observers' consumer group.</summary>
    public const string Changes = "rr:{rr}:changes";

    public const string ChangesGroup = "observers";

    /// <summary>Hash: observer id → incarnation, every live observer (for maintenance and statistics).</summary>
    public const string Observers = "rr:{rr}:observers";

    /// <summary>Sorted set: observer id → when changes were first counted that no evaluation has covered yet.</summary>
    public const string Pending = "rr:{rr}:pending";

    /// <summary>Sorted set: observer id → when its next poll is due (observers of resources evaluated on a timer).</summary>
    public const string Polled = "rr:{rr}:polled";

    /// <summary>Set: the ids of replicas that serve WebSockets.</summary>
    public const string Replicas = "rr:{rr}:replicas";

    /// <summary>Sorted set: subscriber id → the time (unix ms) its subscriptions end unless a connection claims it.</summary>
    public const string Disconnected = "rr:{rr}:disconnected";

    /// <summary>String with a lifetime: present while the replica is alive.</summary>
    public static string Replica(string replicaId) => $"rr:{{rr}}:replica:{replicaId}";

    /// <summary>Set: the subscribers whose WebSocket the replica holds.</summary>
    public static string ReplicaSubscribers(string replicaId) => $"rr:{{rr}}:replica:{replicaId}:subs";

    /// <summary>Hash: observer id → incarnation, the observers whose result a change key may affect.</summary>
    public static string Dependency(string changeKey) => $"rr:dep:{changeKey}";

    /// <summary>Channel that wakes the change consumers when the relay added changes.</summary>
    public const string ChangesWake = "rr:changes:wake";

    /// <summary>Channel of every evaluation's messages, for the replicas that deliver them.</summary>
    public const string Feed = "rr:feed";

    /// <summary>Stream of subscription events (subscribed, unsubscribed, takeover, released), read by every replica.</summary>
    public const string Control = "rr:{rr}:control";

    /// <summary>Channel that wakes the replicas when a subscription event was added.</summary>
    public const string ControlWake = "rr:control:wake";

    public static ObserverKeys Observer(string observerId) => new(observerId);

    public static SubscriberKeys Subscriber(string subscriberId) => new(subscriberId);

    public static UserKeys User(string user) => new(user);
}

/// <summary>The keys of one observer, all on one cluster slot.</summary>
public readonly record struct ObserverKeys(string ObserverId)
{
    private string Prefix => $"rr:{{{ObserverId}}}";

    /// <summary>Hash: def, result, digest, seq, first (the seq of the log's first message), changes, evaluated, incarnation, evaluations, repairs (verifications that repaired it).</summary>
    public string State => Prefix + ":obs";

    /// <summary>Hash: subscriber id → the seq it was sent up to, 'live:&lt;connection&gt;' while a connection delivers, or 'unknown'.</summary>
    public string Subscriptions => Prefix + ":subs";

    /// <summary>List: the protocol messages of the last evaluations, in seq order, starting at seq <c>first</c>.</summary>
    public string Log => Prefix + ":log";

    /// <summary>Hash: seq → the result at that seq, kept for subscribers whose position the log may have trimmed.</summary>
    public string Snapshots => Prefix + ":snaps";

    /// <summary>String with a lifetime: the token of the evaluation that holds the observer.</summary>
    public string Lock => Prefix + ":lock";
}

/// <summary>The keys of one subscriber, all on one cluster slot.</summary>
public readonly record struct SubscriberKeys(string SubscriberId)
{
    private string Prefix => $"rr:{{s:{SubscriberId}}}";

    /// <summary>Hash: replica and connection serving the subscriber's WebSocket (empty while disconnected).</summary>
    public string State => Prefix;

    /// <summary>Set: the observers the subscriber is subscribed to.</summary>
    public string Observers => Prefix + ":obs";

    /// <summary>String with a lifetime: the observers of a subscriber whose grace period ended, to tell a late connection.</summary>
    public string Tombstone => Prefix + ":gone";

    /// <summary>String: the user the id belongs to (the first to use it); it expires with the tombstone.</summary>
    public string Owner => Prefix + ":owner";
}

/// <summary>The quota keys of one user, all on one cluster slot, so that each quota is counted in one step.</summary>
public readonly record struct UserKeys(string User)
{
    private string Prefix => $"rr:{{u:{User}}}";

    /// <summary>Set: the user's live observers.</summary>
    public string Observers => Prefix + ":observers";

    /// <summary>Set: the subscriber ids the user holds.</summary>
    public string Subscribers => Prefix + ":subscribers";

    /// <summary>Set: '&lt;replica&gt; &lt;connection&gt;' of each WebSocket the user holds open, on any replica.</summary>
    public string Sockets => Prefix + ":sockets";

    /// <summary>Hash: observer id → the bytes it stores, and field '' → their sum.</summary>
    public string StoredBytes => Prefix + ":bytes";

    /// <summary>String with a lifetime: present while a recount of the quota named by the suffix is not due.</summary>
    public string Recounted(string quota) => Prefix + ":recounted:" + quota;
}
