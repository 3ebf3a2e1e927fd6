namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// The Redis layout of the reactive layer (docs/architecture.md shows it whole). Every key starts with <c>rr:</c>.
/// </summary>
public static class RedisKeys
{
    /// <summary>Stream of change events (change keys, or one observer to re-evaluate), read by the observers' group.</summary>
    public const string Changes = "rr:changes";

    /// <summary>Pub/sub channel that wakes the change consumers at once instead of polling.</summary>
    public const string ChangesWake = "rr:changes:wake";

    public const string ChangesGroup = "observers";

    /// <summary>Sorted set: subscriber id, scored by the unix time (ms) at which its subscriptions end unless renewed.</summary>
    public const string Subscribers = "rr:subscribers";

    public const string NotifyPrefix = "rr:notify:";
    public const string SubscriberPrefix = "rr:sub:";

    /// <summary>Hash: url, deps, result, gen (changes seen), done (gen last evaluated), inc (incarnation), evaluations.</summary>
    public static string Observer(string observerId) => $"rr:obs:{observerId}";

    /// <summary>Hash: subscriber id to "=" (up to date with the observer's result) or the result its own GET returned.</summary>
    public static string ObserverSubscribers(string observerId) => $"rr:obs:{observerId}:subs";

    public static string Dependency(string changeKey) => $"rr:dep:{changeKey}";

    public static string EvaluationLock(string observerId) => $"rr:lock:{observerId}";

    /// <summary>Set of the observers a subscriber is subscribed to.</summary>
    public static string SubscriberObservers(string subscriberId) => $"{SubscriberPrefix}{subscriberId}:obs";

    /// <summary>Stream of the protocol messages owed to a subscriber, deleted as they are sent.</summary>
    public static string SubscriberOutbox(string subscriberId) => $"{SubscriberPrefix}{subscriberId}:out";

    /// <summary>The id of the WebSocket connection that currently serves a subscriber.</summary>
    public static string SubscriberConnection(string subscriberId) => $"{SubscriberPrefix}{subscriberId}:conn";

    public static string Notify(string subscriberId) => NotifyPrefix + subscriberId;

    /// <summary>The marker of a subscription that is up to date with its observer's stored result.</summary>
    public const string UpToDate = "=";
}
