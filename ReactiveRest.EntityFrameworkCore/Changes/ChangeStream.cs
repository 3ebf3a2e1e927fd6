using System.Globalization;
using System.Text;
using System.Text.Json;
using ReactiveRest.Engine.Redis;
using ReactiveRest.Engine.Resources;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// The Redis stream through which captured row changes (and requests to evaluate one observer) reach the observers'
/// consumer group: each entry is handled by one replica, and an entry a dead replica left is claimed by another.
/// A pub/sub wake-up spares the consumers from polling.
/// </summary>
public sealed class ChangeStream(IConnectionMultiplexer redis)
{
    private const string RowsField = "rows";
    private const string ObserverField = "observer";

    /// <summary>Entries beyond this are trimmed; the relay only adds while the consumers run, so they keep up.</summary>
    private const int MaxEntries = 100_000;

    /// <summary>
    /// Adds one entry holding a batch of captured changes and takes, for <paramref name="consumer"/>, every entry not
    /// yet delivered (this one among them), in one round trip.
    /// </summary>
    public async Task<StreamEntry[]> PublishAndTakeAsync(IReadOnlyList<RowChange> changes, string consumer)
    {
        var reply = await redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.PublishAndTake, [RedisKeys.Changes],
            [RedisKeys.ChangesGroup, consumer, RowsField, Serialize(changes), MaxEntries, 100]);
        if (reply.IsNull)
        {
            return [];
        }

        // [[stream, [[id, [field, value, ...]], ...]]]
        var streams = (RedisResult[])reply!;
        var entries = (RedisResult[])((RedisResult[])streams[0]!)[1]!;
        return [.. entries.Select(entry =>
        {
            var parts = (RedisResult[])entry!;
            var fields = (RedisResult[])parts[1]!;
            var values = new NameValueEntry[fields.Length / 2];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = new NameValueEntry(fields[2 * i].ToString(), fields[(2 * i) + 1].ToString());
            }

            return new StreamEntry(parts[0].ToString(), values);
        })];
    }

    /// <summary>Asks for one evaluation of an observer (a new observer, whose first result may already be behind).</summary>
    public async Task RequestEvaluationAsync(string observerId)
    {
        await AddAndWakeAsync(ObserverField, observerId);
    }

    /// <summary>The entry and its wake-up in one round trip.</summary>
    private async Task AddAndWakeAsync(string field, string value)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var added = batch.StreamAddAsync(RedisKeys.Changes, field, value, maxLength: MaxEntries, useApproximateMaxLength: true);
        var woken = batch.PublishAsync(RedisChannel.Literal(RedisKeys.ChangesWake), "");
        batch.Execute();
        await Task.WhenAll(added, woken);
    }

    /// <summary>The observer an entry asks to evaluate, or null for an entry of row changes.</summary>
    public static string? ObserverOf(StreamEntry entry) => entry[ObserverField] is { IsNull: false } observer ? observer.ToString() : null;

    public static IReadOnlyList<RowChange> RowsOf(StreamEntry entry)
    {
        if (entry[RowsField] is not { IsNull: false } rows)
        {
            return [];
        }

        using var document = JsonDocument.Parse(rows.ToString());
        return [.. document.RootElement.EnumerateArray().Select(ParseRow)];
    }

    /// <summary>
    /// One change as JSON: <c>{"t": table, "b": row before, "a": row after, "tp": traceparent, "at": unix ms}</c>, the
    /// shape of both a stream entry's rows and the capture trigger's notification.
    /// </summary>
    public static RowChange ParseRow(JsonElement row) => new(
        row.GetProperty("t").GetString()!,
        row.GetProperty("b") is { ValueKind: JsonValueKind.Object } before ? before.Clone() : null,
        row.GetProperty("a") is { ValueKind: JsonValueKind.Object } after ? after.Clone() : null,
        row.GetProperty("tp").GetString(),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetProperty("at").GetInt64()));

    private static string Serialize(IReadOnlyList<RowChange> changes)
    {
        var json = new StringBuilder("[");
        foreach (var change in changes)
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            json.Append("{\"t\":").Append(JsonSerializer.Serialize(change.Table))
                .Append(",\"b\":").Append(change.Before?.GetRawText() ?? "null")
                .Append(",\"a\":").Append(change.After?.GetRawText() ?? "null")
                .Append(",\"tp\":").Append(change.TraceParent is null ? "null" : JsonSerializer.Serialize(change.TraceParent))
                .Append(",\"at\":").Append(change.CapturedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
                .Append('}');
        }

        return json.Append(']').ToString();
    }
}
