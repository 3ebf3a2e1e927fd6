using System.Collections.Concurrent;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Npgsql;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Telemetry;

/// <summary>
/// The write-to-push latency starts at the capture time a change carries; that time must be its commit's, or a
/// transaction that ran a while before committing would count its own duration as delivery latency.
/// </summary>
public sealed class CaptureTimeTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_change_carries_the_time_of_its_commit_not_of_its_statement()
    {
        using var api = app.CreateApiClient();
        var board = await api.CreateBoardAsync();
        var task = await api.CreateTaskAsync(board.Id(), "timed");
        var connectionString = await app.App.GetConnectionStringAsync("reactivedb", Cancellation);

        // A second listener beside the relay: PostgreSQL notifies every listener of the channel.
        var payloads = new ConcurrentQueue<string>();
        await using var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync(Cancellation);
        listener.Notification += (_, notification) => payloads.Enqueue(notification.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN reactive_changes", listener))
        {
            await listen.ExecuteNonQueryAsync(Cancellation);
        }

        long statementMs, beforeCommitMs;
        await using (var writer = new NpgsqlConnection(connectionString))
        {
            await writer.OpenAsync(Cancellation);
            await using var transaction = await writer.BeginTransactionAsync(Cancellation);
            await using (var update = new NpgsqlCommand($"UPDATE tasks SET title = 'held open' WHERE id = {task.Id()}", writer, transaction))
            {
                Assert.Equal(1, await update.ExecuteNonQueryAsync(Cancellation));
            }

            statementMs = await ClockMsAsync(writer, transaction);
            // The transaction stays open half a second after its statement, as a slow request's would.
            await using (var hold = new NpgsqlCommand("SELECT pg_sleep(0.5)", writer, transaction))
            {
                await hold.ExecuteNonQueryAsync(Cancellation);
            }

            beforeCommitMs = await ClockMsAsync(writer, transaction);
            await transaction.CommitAsync(Cancellation);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long? capturedMs = null;
        while (capturedMs is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The change's notification did not arrive.");
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200), Cancellation);
            while (payloads.TryDequeue(out var payload))
            {
                using var document = JsonDocument.Parse(payload);
                var root = document.RootElement;
                if (root.TryGetProperty("t", out var table) && table.GetString() == "tasks"
                    && root.GetProperty("a").GetProperty("id").GetInt32() == task.Id())
                {
                    capturedMs = root.GetProperty("at").GetInt64();
                }
            }
        }

        Assert.True(statementMs + 500 <= beforeCommitMs, $"the transaction was held: {statementMs} → {beforeCommitMs}");
        Assert.True(capturedMs >= beforeCommitMs, $"captured at {capturedMs}, but the transaction was still open at {beforeCommitMs}");
    }

    private static async Task<long> ClockMsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var clock = new NpgsqlCommand("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint", connection, transaction);
        return (long)(await clock.ExecuteScalarAsync(Cancellation))!;
    }
}
