using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Keeps change capture in step with the registered resources, so that nobody writes a capture trigger by hand: every
/// table a resource reads (its own, its visibility rule's, the access tables; <see cref="ResourceCatalog.CapturedTables"/>)
/// gets the capture triggers, installed after the migrations by the service that migrates, and checked by every
/// service at start-up, which refuses to start naming each table whose capture is missing.
/// </summary>
public static class CaptureReconciler
{
    /// <summary>Serializes reconciliations of several replicas starting at once.</summary>
    private const long LockKey = 0x5265_6163_7443_6170; // "ReactCap"

    /// <summary>
    /// Installs what is missing: the outbox table and the trigger function, then the triggers of each table that lacks
    /// them. Idempotent; returns the tables whose triggers it created.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReconcileAsync(DbContext db, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey})", token);
            if (!await InstalledAsync(db, token))
            {
                await db.Database.ExecuteSqlRawAsync(ChangeCapture.InstallSql, token);
            }

            var missing = (await MissingAsync(db, tables, token)).Where(table => table.Exists).Select(table => table.Name).ToList();
            foreach (var table in missing)
            {
                await db.Database.ExecuteSqlRawAsync(ChangeCapture.ReinstallTriggerSql(table), token);
            }

            await transaction.CommitAsync(token);
            return missing;
        }, cancellationToken);
    }

    /// <summary>Throws, naming each table and the resources that read it, when a table has no capture (or does not exist).</summary>
    public static async Task VerifyAsync(DbContext db, ResourceCatalog catalog, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (!await InstalledAsync(db, cancellationToken))
        {
            problems.Add($"the change capture function {ChangeCapture.Function}() or the table {ChangeCapture.Table} does not exist");
        }

        foreach (var table in await MissingAsync(db, catalog.CapturedTables, cancellationToken))
        {
            var readers = catalog.All.Where(resource => resource.Table == table.Name || resource.ForeignReads.ContainsKey(table.Name)).Select(resource => $"'{resource.Name}'")
                .Concat(catalog.AccessTables.Where(access => access.Table == table.Name).Select(_ => "access rules"));
            problems.Add(table.Exists
                ? $"table '{table.Name}' (read by {string.Join(", ", readers)}) has no change capture triggers"
                : $"table '{table.Name}' (read by {string.Join(", ", readers)}) does not exist (are the migrations applied?)");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Change capture is incomplete, so observers would miss changes: {string.Join("; ", problems)}. The service that migrates the database installs capture after its migrations (in this repository the API, after its migrations: MigrateDbContextExtensions); start it first.");
        }
    }

    private static async Task<bool> InstalledAsync(DbContext db, CancellationToken cancellationToken) =>
        await db.Database.SqlQuery<bool>(
            $"""SELECT to_regclass({ChangeCapture.Table}) IS NOT NULL AND to_regprocedure({ChangeCapture.Function + "()"}) IS NOT NULL AS "Value" """)
            .SingleAsync(cancellationToken);

    /// <summary>The tables among <paramref name="tables"/> without both capture triggers calling the capture function.</summary>
    private static async Task<IReadOnlyList<TableState>> MissingAsync(DbContext db, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var names = tables.ToArray();
        return await db.Database.SqlQuery<TableState>($"""
            SELECT name AS "Name", to_regclass(quote_ident(name)) IS NOT NULL AS "Exists"
            FROM unnest({names}) AS name
            WHERE (SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                   WHERE t.tgrelid = to_regclass(quote_ident(name)) AND p.proname = {ChangeCapture.Function}
                     AND t.tgname IN (name || '_capture_insert_delete', name || '_capture_update')) < 2
            ORDER BY name
            """).ToListAsync(cancellationToken);
    }

    private sealed class TableState
    {
        public string Name { get; set; } = "";

        public bool Exists { get; set; }
    }
}
