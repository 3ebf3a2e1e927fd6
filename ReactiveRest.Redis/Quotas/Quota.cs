namespace ReactiveRest.Engine.Quotas;

/// <summary>What a user may hold at once, each counted in Redis across every replica (docs/security.md lists them).</summary>
public enum Quota
{
    /// <summary>Live observers (<c>Reactive:MaxObserversPerUser</c>).</summary>
    Observers,

    /// <summary>Subscriber ids (<c>Reactive:MaxSubscribersPerUser</c>).</summary>
    Subscribers,

    /// <summary>Open WebSockets (<c>Reactive:MaxSocketsPerUser</c>).</summary>
    Sockets,

    /// <summary>Bytes the user's observers store (<c>Reactive:MaxStoredBytesPerUser</c>).</summary>
    StoredBytes,
}

/// <summary>A quota the user is at: what was refused, the limit, and what the user holds.</summary>
public sealed record QuotaRefusal(Quota Quota, long Limit, long Held)
{
    /// <summary>The metric tag and the problem's <c>quota</c> field.</summary>
    public string Name => Quota switch
    {
        Quota.Observers => "observers",
        Quota.Subscribers => "subscribers",
        Quota.Sockets => "sockets",
        _ => "stored_bytes",
    };

    public string Detail => Quota switch
    {
        Quota.Observers => $"A user may hold at most {Limit} live observers; unsubscribe from some first.",
        Quota.Subscribers => $"A user may hold at most {Limit} subscriber ids at once; reuse one, or let unused ones end.",
        Quota.Sockets => $"A user may hold at most {Limit} WebSockets open; close one first.",
        _ => $"A user's observers may store at most {Limit} bytes; they store {Held}. Unsubscribe from some first.",
    };
}
