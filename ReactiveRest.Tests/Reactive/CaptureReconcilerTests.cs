using Aspire.Hosting.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// Capture follows the registered resources: on a database of its own, freshly migrated, the start-up check names the
/// table no migration gave triggers (comments, whose migration was generated with no capture step), reconciling
/// installs them, and a row written afterwards lands in the outbox. A trigger dropped later is named again, with the
/// resources that read its table.
/// </summary>
public sealed class CaptureReconcilerTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fresh_database_is_refused_until_capture_is_reconciled_from_the_resources()
    {
        var name = $"capture_{Guid.NewGuid():N}";
        var server = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync("reactivedb", Cancellation));
        await Sql.ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {name}");
        var own = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            await using var db = new ReactiveDbContext(new DbContextOptionsBuilder<ReactiveDbContext>().UseNpgsql(own).Options);
            var catalog = new ResourceCatalog(ApiResources.All, ApiResources.AccessTables);
            catalog.Bind(db);
            Assert.Contains("comments", catalog.CapturedTables);
            Assert.Contains("tasks", catalog.CapturedTables);

            await db.Database.MigrateAsync(Cancellation);
            var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => CaptureReconciler.VerifyAsync(db, catalog, Cancellation));
            Assert.Contains("table 'comments' (read by 'comments') has no change capture triggers", missing.Message);
            Assert.DoesNotContain("'tasks'", missing.Message);

            Assert.Equal(["comments"], await CaptureReconciler.ReconcileAsync(db, catalog.CapturedTables, Cancellation));
            await CaptureReconciler.VerifyAsync(db, catalog, Cancellation);
            Assert.Empty(await CaptureReconciler.ReconcileAsync(db, catalog.CapturedTables, Cancellation));

            // The triggers capture: a comment written in SQL lands in the outbox with its row.
            await Sql.ExecuteAsync(own, """
                INSERT INTO boards (name) VALUES ('b');
                INSERT INTO tasks (board_id, title, done, position, created_at, updated_at) SELECT id, 't', false, 0, now(), now() FROM boards;
                INSERT INTO comments (task_id, author, text, created_at) SELECT id, 'sql', 'captured', now() FROM tasks;
                """);
            Assert.Equal(1, await Sql.ScalarAsync(own, $"SELECT count(*) FROM {ChangeCapture.Table} WHERE table_name = 'comments' AND new_row->>'text' = 'captured'"));

            // A table read by other resources than its own: the message says who would miss its changes.
            await Sql.ExecuteAsync(own, "DROP TRIGGER tasks_capture_update ON tasks");
            var dropped = await Assert.ThrowsAsync<InvalidOperationException>(() => CaptureReconciler.VerifyAsync(db, catalog, Cancellation));
            Assert.Contains("table 'tasks' (read by 'tasks', 'comments')", dropped.Message);
            Assert.Equal(["tasks"], await CaptureReconciler.ReconcileAsync(db, catalog.CapturedTables, Cancellation));
            await CaptureReconciler.VerifyAsync(db, catalog, Cancellation);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Sql.ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }
}
