using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Redis;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// The observers' shared state in Redis: definitions, results, logs, subscriptions and the dependency index. Every
/// change to one observer is one Lua script on the observer's own cluster slot; the indexes are kept in step without
/// cross-slot scripts (see index_remove.lua for how a concurrent drop and subscribe are kept apart).
/// </summary>
public sealed class ObserverStore(IConnectionMultiplexer redis, IOptions<ReactiveOptions> options)
{
    private IDatabase Database => redis.GetDatabase();

    private ReactiveOptions Options => options.Value;

    /// <summary>Adds the observer to the indexes that route changes and polls to it. Idempotent.</summary>
    public async Task IndexAsync(string observerId, string incarnation, IReadOnlyList<string> dependencies, TimeSpan? pollInterval, DateTimeOffset now)
    {
        var batch = Database.CreateBatch();
        var writes = dependencies.Select(key => batch.HashSetAsync(RedisKeys.Dependency(key), observerId, incarnation)).ToList();
        writes.Add(batch.HashSetAsync(RedisKeys.Observers, observerId, incarnation));
        if (pollInterval is { } interval)
        {
            writes.Add(batch.SortedSetAddAsync(RedisKeys.Polled, observerId, now.Add(interval).ToUnixTimeMilliseconds(), When.NotExists));
        }

        batch.Execute();
        await Task.WhenAll(writes);
    }

    public async Task<SubscribeResult> SubscribeAsync(string observerId, string definition, string subscriberId, string resultJson, string digest, string incarnation)
    {
        var keys = RedisKeys.Observer(observerId);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Subscribe,
            [keys.State, keys.Subscriptions, keys.Snapshots],
            [definition, resultJson, digest, incarnation, subscriberId, Options.MaxSnapshots]))!;
        return reply[0].ToString() == "stale"
            ? SubscribeResult.Stale
            : new SubscribeResult(true, (long)reply[1], reply[2].ToString());
    }

    /// <summary>Ends one subscription, dropping the observer and its index entries when it was the last.</summary>
    /// <returns>False when there was no such subscription.</returns>
    public async Task<bool> UnsubscribeAsync(string observerId, string subscriberId, Func<string, IReadOnlyList<string>?> dependenciesOf)
    {
        var keys = RedisKeys.Observer(observerId);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Unsubscribe,
            [keys.State, keys.Subscriptions, keys.Log, keys.Snapshots, keys.Lock], [subscriberId]))!;
        if ((long)reply[0] == 0)
        {
            return false;
        }

        if ((long)reply[1] == 1)
        {
            await RemoveFromIndexesAsync(observerId, reply[3].ToString(), dependenciesOf(reply[2].ToString()) ?? []);
        }

        return true;
    }

    private async Task RemoveFromIndexesAsync(string observerId, string incarnation, IReadOnlyList<string> dependencies)
    {
        var removals = dependencies.Select(RedisKeys.Dependency)
            .Append(RedisKeys.Observers)
            .Select(index => Database.ScriptEvaluateAsync(RedisScripts.IndexRemove, [index], [observerId, incarnation]))
            .Append(Database.SortedSetRemoveAsync(RedisKeys.Pending, observerId).ContinueWith(_ => RedisResult.Create(0), TaskScheduler.Default))
            .Append(Database.SortedSetRemoveAsync(RedisKeys.Polled, observerId).ContinueWith(_ => RedisResult.Create(0), TaskScheduler.Default));
        await Task.WhenAll(removals);
    }

    public async Task<AcquireResult> AcquireAsync(string observerId, string token, string? cachedIncarnation, long cachedSeq)
    {
        var keys = RedisKeys.Observer(observerId);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Acquire,
            [keys.State, keys.Lock],
            [token, (long)Options.EvaluationLockTime.TotalMilliseconds, cachedIncarnation ?? "", cachedSeq]))!;
        return reply[0].ToString() switch
        {
            "gone" => AcquireResult.Gone,
            "busy" => AcquireResult.Busy,
            _ => new AcquireResult(AcquireStatus.Acquired, (long)reply[1], (long)reply[2], (long)reply[3], reply[4].ToString(),
                reply[5].IsNull ? null : reply[5].ToString(), reply[6].IsNull ? null : reply[6].ToString()),
        };
    }

    /// <summary>
    /// Appends one evaluation's messages to the observer's log and publishes them to the replicas' feeds, with the new
    /// result, in one step fenced by the evaluation's lock token (see <c>commit.lua</c>): a stalled evaluation that lost
    /// its lock appends nothing.
    /// </summary>
    public async Task<CommitResult> AppendToLogAsync(string observerId, string token, Commit commit)
    {
        var keys = RedisKeys.Observer(observerId);
        var values = new RedisValue[11 + commit.Messages.Count];
        values[0] = token;
        values[1] = commit.Incarnation;
        values[2] = commit.Seq;
        values[3] = commit.CoveredChanges;
        values[4] = commit.ResultJson;
        values[5] = commit.Digest;
        values[6] = Options.MaxLogMessages;
        values[7] = RedisKeys.Feed;
        values[8] = commit.FeedHeader;
        values[9] = commit.Release ? 1 : 0;
        values[10] = commit.SubscriberId ?? "";
        for (var i = 0; i < commit.Messages.Count; i++)
        {
            values[11 + i] = commit.Messages[i];
        }

        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Commit,
            [keys.State, keys.Log, keys.Lock, keys.Subscriptions], values))!;
        return reply[0].ToString() == "fenced"
            ? CommitResult.Fenced
            : new CommitResult(true, (long)reply[1], (long)reply[2] == 1);
    }

    /// <summary>
    /// Stores a verification's fresh result in place of a stored one that differed, with its resync run appended to the
    /// log and published, fenced by the verification's lock token and the seq it verified (see <c>repair.lua</c>).
    /// </summary>
    public async Task<CommitResult> RepairAsync(string observerId, string token, string incarnation, long seq, string resultJson, string digest, string feedHeader, IReadOnlyList<string> run)
    {
        var keys = RedisKeys.Observer(observerId);
        var values = new RedisValue[8 + run.Count];
        values[0] = token;
        values[1] = incarnation;
        values[2] = seq;
        values[3] = resultJson;
        values[4] = digest;
        values[5] = Options.MaxLogMessages;
        values[6] = RedisKeys.Feed;
        values[7] = feedHeader;
        for (var i = 0; i < run.Count; i++)
        {
            values[8 + i] = run[i];
        }

        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Repair, [keys.State, keys.Log, keys.Lock], values))!;
        return reply[0].ToString() == "fenced"
            ? CommitResult.Fenced
            : new CommitResult(true, (long)reply[1], (long)reply[2] == 1);
    }

    /// <summary>What a verification compares, read in one step: the stored definition, result and digest at their seq; null when gone.</summary>
    public async Task<VerificationState?> ReadForVerificationAsync(string observerId)
    {
        var values = await Database.HashGetAsync(RedisKeys.Observer(observerId).State, ["def", "result", "digest", "seq", "changes", "evaluated", "incarnation"]);
        return values[0].IsNull || values[1].IsNull || values[2].IsNull
            ? null
            : new VerificationState(values[0].ToString(), values[1].ToString(), values[2].ToString(), (long)values[3], (long)values[4], (long)values[5], values[6].ToString());
    }

    /// <summary>Where an observer stands: its seq, changes counted and incarnation; null when gone.</summary>
    public async Task<(long Seq, long Changes, string Incarnation)?> ReadPositionAsync(string observerId)
    {
        var values = await Database.HashGetAsync(RedisKeys.Observer(observerId).State, ["seq", "changes", "incarnation"]);
        return values[2].IsNull ? null : ((long)values[0], (long)values[1], values[2].ToString());
    }

    public Task ReleaseAsync(string observerId, string token) =>
        Database.ScriptEvaluateAsync(RedisScripts.Release, [RedisKeys.Observer(observerId).Lock], [token]);

    /// <returns>False when the lock is no longer the caller's: its evaluation must not commit.</returns>
    public async Task<bool> ExtendAsync(string observerId, string token) =>
        (long)await Database.ScriptEvaluateAsync(RedisScripts.Extend,
            [RedisKeys.Observer(observerId).Lock], [token, (long)Options.EvaluationLockTime.TotalMilliseconds]) == 1;

    /// <summary>The changes counted on an observer so far.</summary>
    public async Task<long> ChangesAsync(string observerId) =>
        (long)await Database.HashGetAsync(RedisKeys.Observer(observerId).State, "changes");

    /// <summary>The observers indexed under any of the change keys (each key's index is read on its own slot).</summary>
    public async Task<IReadOnlyList<string>> FindDependentsAsync(IEnumerable<string> changeKeys)
    {
        var batch = Database.CreateBatch();
        var reads = changeKeys.Distinct().Select(key => batch.HashKeysAsync(RedisKeys.Dependency(key))).ToList();
        batch.Execute();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var read in reads)
        {
            foreach (var member in await read)
            {
                found.Add(member.ToString());
            }
        }

        return [.. found];
    }

    /// <summary>The stored definitions of observers; null for one that no longer exists.</summary>
    public async Task<IReadOnlyList<string?>> ReadDefinitionsAsync(IReadOnlyList<string> observerIds)
    {
        var batch = Database.CreateBatch();
        var reads = observerIds.Select(id => batch.HashGetAsync(RedisKeys.Observer(id).State, "def")).ToList();
        batch.Execute();
        var values = await Task.WhenAll(reads);
        return [.. values.Select(value => value.IsNull ? null : value.ToString())];
    }

    /// <summary>Counts a change on each observer, and notes it as pending so that a replica crash cannot strand it.</summary>
    /// <returns>Per observer, its change count, or -1 when it no longer exists.</returns>
    public async Task<long[]> MarkChangedAsync(IReadOnlyList<string> observerIds, DateTimeOffset now)
    {
        var batch = Database.CreateBatch();
        var marks = observerIds.Select(id => batch.ScriptEvaluateAsync(RedisScripts.MarkChanged, [RedisKeys.Observer(id).State])).ToList();
        var pending = observerIds.Select(id => new SortedSetEntry(id, now.ToUnixTimeMilliseconds())).ToArray();
        var noted = pending.Length > 0 ? batch.SortedSetAddAsync(RedisKeys.Pending, pending, When.NotExists) : Task.FromResult(0L);
        batch.Execute();
        await noted;
        return [.. (await Task.WhenAll(marks)).Select(result => (long)result)];
    }

    /// <summary>The observer is up to date; a later change notes it again.</summary>
    public Task ClearPendingAsync(string observerId) => Database.SortedSetRemoveAsync(RedisKeys.Pending, observerId);

    /// <summary>Observers with changes counted since before <paramref name="before"/> and still not evaluated.</summary>
    public async Task<IReadOnlyList<string>> PendingSinceAsync(DateTimeOffset before) =>
        [.. (await Database.SortedSetRangeByScoreAsync(RedisKeys.Pending, double.NegativeInfinity, before.ToUnixTimeMilliseconds(), take: 1000))
            .Select(value => value.ToString())];

    /// <summary>Polled observers whose poll is due, each claimed by this caller only for this interval.</summary>
    /// <param name="intervalOf">The poll interval of an observer, given its stored definition.</param>
    public async Task<IReadOnlyList<string>> ClaimDuePollsAsync(DateTimeOffset now, Func<string, TimeSpan?> intervalOf)
    {
        var due = await Database.SortedSetRangeByScoreWithScoresAsync(RedisKeys.Polled, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: 1000);
        if (due.Length == 0)
        {
            return [];
        }

        var definitions = await ReadDefinitionsAsync([.. due.Select(entry => entry.Element.ToString())]);
        var claimed = new List<string>();
        for (var i = 0; i < due.Length; i++)
        {
            var observerId = due[i].Element.ToString();
            if (definitions[i] is not { } definition || intervalOf(definition) is not { } interval)
            {
                // Dropped meanwhile; its index entry goes with the drop.
                continue;
            }

            var score = due[i].Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            if ((long)await Database.ScriptEvaluateAsync(RedisScripts.PollClaim, [RedisKeys.Polled], [observerId, score, now.Add(interval).ToUnixTimeMilliseconds()]) == 1)
            {
                claimed.Add(observerId);
            }
        }

        return claimed;
    }

    /// <summary>What a replica needs to start delivering an observer: its result, where its log stands, its incarnation.</summary>
    public async Task<ObserverHead?> ReadHeadAsync(string observerId)
    {
        var values = await Database.HashGetAsync(RedisKeys.Observer(observerId).State, ["result", "seq", "first", "incarnation"]);
        return values[0].IsNull
            ? null
            : new ObserverHead(values[0].ToString(), (long)values[1], (long)values[2], values[3].ToString());
    }

    /// <summary>The messages with seq in (<paramref name="after"/>, <paramref name="upTo"/>], or null when the log no longer holds them all.</summary>
    public async Task<IReadOnlyList<string>?> ReadLogAsync(string observerId, long after, long upTo)
    {
        if (upTo <= after)
        {
            return [];
        }

        var keys = RedisKeys.Observer(observerId);
        var reply = await Database.ScriptEvaluateAsync(RedisScripts.ReadLog, [keys.State, keys.Log], [after, upTo]);
        if (reply.IsNull)
        {
            return null;
        }

        var messages = (RedisResult[])reply!;
        return messages.Length == upTo - after ? [.. messages.Select(message => message.ToString())] : null;
    }

    public async Task<string?> ReadSnapshotAsync(string observerId, long seq)
    {
        var value = await Database.HashGetAsync(RedisKeys.Observer(observerId).Snapshots, seq);
        return value.IsNull ? null : value.ToString();
    }

    public async Task<AttachResult> AttachAsync(string observerId, string subscriberId, string liveMarker, string? expectedRecord)
    {
        var keys = RedisKeys.Observer(observerId);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Attach,
            [keys.Subscriptions, keys.State], [subscriberId, liveMarker, expectedRecord ?? ""]))!;
        return reply[0].ToString() switch
        {
            "none" => AttachResult.None,
            "moved" => new AttachResult(AttachStatus.Moved, reply[1].ToString(), 0, 0, ""),
            _ => new AttachResult(AttachStatus.Attached, reply[1].ToString(), (long)reply[2], (long)reply[3], reply[4].ToString()),
        };
    }

    public Task DetachAsync(string observerId, string subscriberId, string liveMarker, string position, string? snapshot)
    {
        var keys = RedisKeys.Observer(observerId);
        return Database.ScriptEvaluateAsync(RedisScripts.Detach,
            [keys.Subscriptions, keys.Snapshots], [subscriberId, liveMarker, position, snapshot ?? "", Options.MaxSnapshots]);
    }

    /// <param name="isVisible">Whether the caller may see the observer with this stored definition (null when not: as if it did not exist).</param>
    public async Task<ObserverStats?> GetStatsAsync(string observerId, Func<string, string?> urlOf, Func<string, bool> isVisible)
    {
        var keys = RedisKeys.Observer(observerId);
        var transaction = Database.CreateTransaction();
        var fields = transaction.HashGetAsync(keys.State, ["def", "evaluations", "changes", "evaluated", "seq"]);
        var subscribers = transaction.HashLengthAsync(keys.Subscriptions);
        await transaction.ExecuteAsync();
        var values = await fields;
        return values[0].IsNull || !isVisible(values[0].ToString())
            ? null
            : new ObserverStats(observerId, urlOf(values[0].ToString()) ?? "", (int)await subscribers, (long)values[1], (long)values[2], (long)values[3], (long)values[4]);
    }

    /// <summary>Every observer with the incarnation it was indexed under.</summary>
    public async Task<IReadOnlyDictionary<string, string>> AllObserversAsync() =>
        (await Database.HashGetAllAsync(RedisKeys.Observers)).ToDictionary(entry => entry.Name.ToString(), entry => entry.Value.ToString());

    /// <summary>Whether each observer still exists, with its incarnation (null when gone).</summary>
    public async Task<IReadOnlyList<string?>> IncarnationsAsync(IReadOnlyList<string> observerIds)
    {
        var batch = Database.CreateBatch();
        var reads = observerIds.Select(id => batch.HashGetAsync(RedisKeys.Observer(id).State, "incarnation")).ToList();
        batch.Execute();
        return [.. (await Task.WhenAll(reads)).Select(value => value.IsNull ? null : value.ToString())];
    }
}

public sealed record SubscribeResult(bool Subscribed, long Seq, string Incarnation)
{
    public static readonly SubscribeResult Stale = new(false, 0, "");
}

public enum AcquireStatus
{
    Acquired,
    Busy,
    Gone,
}

/// <summary>
/// The observer as read when its lock was taken. <see cref="Definition"/> and <see cref="ResultJson"/> are null when
/// the caller's cached copies (same incarnation, same seq) are current.
/// </summary>
public sealed record AcquireResult(AcquireStatus Status, long Seq, long Changes, long Evaluated, string Incarnation, string? Definition, string? ResultJson)
{
    public static readonly AcquireResult Busy = new(AcquireStatus.Busy, 0, 0, 0, "", null, null);
    public static readonly AcquireResult Gone = new(AcquireStatus.Gone, 0, 0, 0, "", null, null);
}

/// <summary>One evaluation's outcome, numbered from <see cref="Seq"/> + 1.</summary>
public sealed record Commit(
    string Incarnation,
    long Seq,
    long CoveredChanges,
    string ResultJson,
    string Digest,
    string FeedHeader,
    bool Release,
    string? SubscriberId,
    IReadOnlyList<string> Messages);

public sealed record CommitResult(bool Committed, long Seq, bool Behind)
{
    public static readonly CommitResult Fenced = new(false, 0, false);
}

/// <summary>An observer's stored state as a verification reads it.</summary>
public sealed record VerificationState(string Definition, string ResultJson, string Digest, long Seq, long Changes, long Evaluated, string Incarnation);

public sealed record ObserverHead(string ResultJson, long Seq, long First, string Incarnation);

public enum AttachStatus
{
    Attached,
    Moved,
    None,
}

/// <summary>A subscription taken over by a connection: its previous record (a position, a live marker or 'unknown') and the log's extent.</summary>
public sealed record AttachResult(AttachStatus Status, string PreviousRecord, long Seq, long First, string Incarnation)
{
    public static readonly AttachResult None = new(AttachStatus.None, "", 0, 0, "");
}
