using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Moves captured changes from PostgreSQL's outbox table to the Redis change stream, in capture order. One relay runs
/// at a time, whichever process holds the advisory lock; the others stand by. A batch is deleted from the outbox in the
/// same transaction that published it, so a crash at any point publishes a change again (a harmless extra evaluation)
/// rather than never. Woken by NOTIFY at each commit; a one-second poll is the safety net.
/// </summary>
public sealed class ChangeRelay(ReactiveDatabase database, ChangeStream stream, ILogger<ChangeRelay> logger) : BackgroundService
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
        // A notification read while a batch's commands ran is raised then, not by the next WaitAsync: remember it.
        var notified = 0;
        connection.Notification += (_, _) => Interlocked.Exchange(ref notified, 1);
        await using (var listen = new NpgsqlCommand($"LISTEN {ChangeCapture.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // Notifications raised from here on (including the one that ended the last wait) are covered by this pass.
            Interlocked.Exchange(ref notified, 0);
            while (await RelayBatchAsync(connection, stoppingToken) == BatchSize)
            {
            }

            if (Interlocked.Exchange(ref notified, 0) == 0)
            {
                // Returns at the next notification; the timeout is the safety net.
                await connection.WaitAsync(PollInterval, stoppingToken);
            }
        }
    }

    private async Task<int> RelayBatchAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken);
        var changes = new List<RowChange>();
        await using (var take = new NpgsqlCommand(
            $"""
            DELETE FROM {ChangeCapture.Table} WHERE id IN (SELECT id FROM {ChangeCapture.Table} ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
            RETURNING id, table_name, old_row::text, new_row::text, traceparent, captured_at
            """, connection, transaction))
        await using (var reader = await take.ExecuteReaderAsync(stoppingToken))
        {
            var rows = new List<(long Id, RowChange Change)>();
            while (await reader.ReadAsync(stoppingToken))
            {
                rows.Add((reader.GetInt64(0), new RowChange(
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : Parse(reader.GetString(2)),
                    reader.IsDBNull(3) ? null : Parse(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5))));
            }

            // RETURNING does not promise the subquery's order.
            changes.AddRange(rows.OrderBy(row => row.Id).Select(row => row.Change));
        }

        if (changes.Count == 0)
        {
            await transaction.RollbackAsync(stoppingToken);
            return 0;
        }

        await stream.PublishAsync(Traced(changes));
        await transaction.CommitAsync(stoppingToken);
        Telemetry.ChangesRelayed.Add(changes.Count);
        return changes.Count;
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
