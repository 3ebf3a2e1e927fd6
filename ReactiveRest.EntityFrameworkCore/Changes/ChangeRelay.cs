using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Moves captured changes from PostgreSQL to the Redis change stream, in commit order, and hands them to this process's
/// consumer in the same round trip. One relay runs at a time, whichever process holds the advisory lock; the others
/// stand by. A change arrives with its commit's notification and is published at once, then deleted from the outbox;
/// anything the notifications did not carry (a change too large for one, a notification missed while no relay listened)
/// is read from the outbox, published and deleted in one transaction. So a crash at any point publishes a change again
/// (a harmless extra evaluation) rather than never.
/// </summary>
public sealed class ChangeRelay(ReactiveDatabase database, ChangeStream stream, IChangeHandler consumer, ReactiveMetrics metrics, ILogger<ChangeRelay> logger) : BackgroundService
{
    /// <summary>Arbitrary, fixed: the advisory lock key that elects the relay.</summary>
    private const long LeaderLockKey = 0x52_52_52_4C_41_59; // "RRRLAY"

    private const int BatchSize = 500;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Whether this process is the relay now (for health and diagnostics).</summary>
    public bool IsLeader { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = await database.RunAsync(db => Task.FromResult(db.Database.GetConnectionString()!));
        await using var source = NpgsqlDataSource.Create(connectionString);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayWhileLeaderAsync(source, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // PostgreSQL or Redis is away: the changes wait in the outbox, nothing is lost.
                IsLeader = false;
                if (failures++ == 0)
                {
                    logger.LogWarning(exception, "Relaying changes failed; retrying every {Delay}", RetryDelay);
                }

                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private async Task RelayWhileLeaderAsync(NpgsqlDataSource source, CancellationToken stoppingToken)
    {
        await using var connection = await source.OpenConnectionAsync(stoppingToken);
        await using (var elect = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaderLockKey})", connection))
        {
            if (!(bool)(await elect.ExecuteScalarAsync(stoppingToken))!)
            {
                IsLeader = false;
                await Task.Delay(PollInterval, stoppingToken);
                return;
            }
        }

        IsLeader = true;
        // Raised whenever Npgsql reads a notification: while waiting, and while a command of ours runs.
        var notifications = new ConcurrentQueue<string>();
        connection.Notification += (_, notification) => notifications.Enqueue(notification.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {ChangeCapture.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // What was captured while no relay listened.
        await DrainOutboxAsync(connection, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (notifications.IsEmpty && !await connection.WaitAsync(PollInterval, stoppingToken))
            {
                // The safety net: a quiet second, so look at the outbox itself.
                await DrainOutboxAsync(connection, stoppingToken);
                continue;
            }

            var carried = new List<(long Id, RowChange Change)>();
            var announcedOnly = false;
            while (notifications.TryDequeue(out var payload))
            {
                using var document = JsonDocument.Parse(payload);
                var root = document.RootElement;
                if (root.TryGetProperty("t", out _))
                {
                    carried.Add((root.GetProperty("id").GetInt64(), ChangeStream.ParseRow(root)));
                }
                else
                {
                    announcedOnly = true;
                }
            }

            if (carried.Count > 0)
            {
                await PublishAsync([.. carried.Select(change => change.Change)]);
                await using var delete = new NpgsqlCommand($"DELETE FROM {ChangeCapture.Table} WHERE id = ANY(@ids)", connection);
                delete.Parameters.AddWithValue("ids", carried.Select(change => change.Id).ToArray());
                await delete.ExecuteNonQueryAsync(stoppingToken);
            }

            if (announcedOnly)
            {
                await DrainOutboxAsync(connection, stoppingToken);
            }
        }
    }

    private async Task DrainOutboxAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        while (await RelayBatchAsync(connection, stoppingToken) == BatchSize)
        {
        }
    }

    private async Task<int> RelayBatchAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken);
        var rows = new List<(long Id, RowChange Change)>();
        await using (var take = new NpgsqlCommand(
            $"""
            DELETE FROM {ChangeCapture.Table} WHERE id IN (SELECT id FROM {ChangeCapture.Table} ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
            RETURNING id, table_name, old_row::text, new_row::text, traceparent, captured_at
            """, connection, transaction))
        await using (var reader = await take.ExecuteReaderAsync(stoppingToken))
        {
            while (await reader.ReadAsync(stoppingToken))
            {
                rows.Add((reader.GetInt64(0), new RowChange(
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : Parse(reader.GetString(2)),
                    reader.IsDBNull(3) ? null : Parse(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5))));
            }
        }

        if (rows.Count == 0)
        {
            await transaction.RollbackAsync(stoppingToken);
            return 0;
        }

        // RETURNING does not promise the subquery's order.
        await PublishAsync([.. rows.OrderBy(row => row.Id).Select(row => row.Change)]);
        await transaction.CommitAsync(stoppingToken);
        return rows.Count;
    }

    /// <summary>Publishes the changes and hands this process's consumer what it took in the same round trip.</summary>
    private async Task PublishAsync(List<RowChange> changes)
    {
        var entries = await stream.PublishAndTakeAsync(Traced(changes), consumer.ConsumerName);
        metrics.ChangesRelayed(changes.Count);
        if (entries.Length > 0)
        {
            await consumer.HandleAsync(entries);
        }
    }

    /// <summary>
    /// One span per write's trace in the batch ("publish change"), which the change then carries on, so the write's
    /// trace continues into the evaluation it causes.
    /// </summary>
    private static List<RowChange> Traced(List<RowChange> changes)
    {
        var spans = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var traceParent in changes.Select(change => change.TraceParent).OfType<string>().Distinct())
        {
            if (ActivityContext.TryParse(traceParent, null, out var parent))
            {
                using var activity = Telemetry.Source.StartActivity("publish change", ActivityKind.Producer, parent);
                if (activity?.Id is { } id)
                {
                    spans[traceParent] = id;
                }
            }
        }

        return spans.Count == 0
            ? changes
            : [.. changes.Select(change => change.TraceParent is { } traceParent && spans.TryGetValue(traceParent, out var span) ? change with { TraceParent = span } : change)];
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
