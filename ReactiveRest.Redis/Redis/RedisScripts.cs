using System.Reflection;

namespace ReactiveRest.Engine.Redis;

/// <summary>
/// The Lua scripts of <c>Redis/Scripts</c>, embedded in this assembly; each file's header lists its KEYS and ARGV.
/// StackExchange.Redis sends each by its SHA1 after the first use.
/// </summary>
public static class RedisScripts
{
    public static readonly string Subscribe = Load("subscribe");
    public static readonly string Acquire = Load("acquire");
    public static readonly string Commit = Load("commit");
    public static readonly string Repair = Load("repair");
    public static readonly string Release = Load("release");
    public static readonly string Extend = Load("extend");
    public static readonly string MarkChanged = Load("mark_changed");
    public static readonly string ReadLog = Load("read_log");
    public static readonly string Attach = Load("attach");
    public static readonly string Detach = Load("detach");
    public static readonly string Unsubscribe = Load("unsubscribe");
    public static readonly string IndexRemove = Load("index_remove");
    public static readonly string SubscriberOwn = Load("subscriber_own");
    public static readonly string SubscriberObserve = Load("subscriber_observe");
    public static readonly string SubscriberClaim = Load("subscriber_claim");
    public static readonly string SubscriberRelease = Load("subscriber_release");
    public static readonly string SubscriberDrop = Load("subscriber_drop");
    public static readonly string SubscriberUnclaim = Load("subscriber_unclaim");
    public static readonly string SubscriberReassert = Load("subscriber_reassert");
    public static readonly string ReplicaRenew = Load("replica_renew");
    public static readonly string ReplicaReap = Load("replica_reap");
    public static readonly string PollClaim = Load("poll_claim");
    public static readonly string PublishAndTake = Load("publish_and_take");
    public static readonly string QuotaTake = Load("quota_take");
    public static readonly string QuotaTakeBytes = Load("quota_take_bytes");
    public static readonly string QuotaForgetBytes = Load("quota_forget_bytes");

    private static string Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"ReactiveRest.Redis.{name}.lua")
            ?? throw new InvalidOperationException($"The Redis script {name}.lua is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
