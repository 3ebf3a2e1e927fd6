namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Change capture in PostgreSQL: a row trigger on every reactive table records the row before and after each write in
/// <see cref="Table"/>, in the write's own transaction as it commits, and notifies <see cref="Channel"/> at commit. So a committed
/// write's change cannot be lost by a process dying after the commit, and writes made outside the API (psql, another
/// service) reach subscribers too. The SQL here is what the migrations install.
/// </summary>
public static class ChangeCapture
{
    public const string Table = "reactive_changes";

    public const string Channel = "reactive_changes";

    /// <summary>The transaction-local setting through which a write hands its trace to the trigger.</summary>
    public const string TraceSetting = "reactiverest.traceparent";

    public const string Function = "reactive_capture_change";

    /// <summary>PostgreSQL refuses notification payloads of 8000 bytes or more.</summary>
    public const int MaxPayloadBytes = 7900;

    /// <summary>The outbox table and the trigger function; once per database.</summary>
    public static string InstallSql => $"""
        CREATE TABLE {Table} (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            table_name text NOT NULL,
            old_row jsonb,
            new_row jsonb,
            traceparent text,
            captured_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );

        CREATE FUNCTION {Function}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            change {Table};
            payload text;
        BEGIN
            INSERT INTO {Table} (table_name, old_row, new_row, traceparent)
            VALUES (
                TG_TABLE_NAME,
                CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
                CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
                NULLIF(current_setting('{TraceSetting}', true), ''))
            RETURNING * INTO change;
            -- The change travels with the notification (sent at commit), so the relay publishes it without reading the
            -- table first; one too large for a notification is announced by its id alone and read from the table.
            payload := json_build_object(
                'id', change.id, 't', change.table_name, 'b', change.old_row, 'a', change.new_row,
                'tp', change.traceparent, 'at', floor(extract(epoch FROM change.captured_at) * 1000)::bigint)::text;
            IF octet_length(payload) > {MaxPayloadBytes} THEN
                payload := json_build_object('id', change.id)::text;
            END IF;
            PERFORM pg_notify('{Channel}', payload);
            RETURN NULL;
        END
        $$;
        """;

    public static string UninstallSql => $"""
        DROP TABLE {Table};
        DROP FUNCTION {Function}();
        """;

    /// <summary>
    /// Captures every write of one table; an update that changes nothing is not a change. The triggers are deferred to
    /// the commit (each row's before and after are still those of its own statement), so the capture time a change
    /// carries is its commit's, whatever the transaction did before: the write-to-push latency starts there.
    /// </summary>
    public static string TriggerSql(string table) => $"""
        CREATE CONSTRAINT TRIGGER {table}_capture_insert_delete AFTER INSERT OR DELETE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {Function}();
        CREATE CONSTRAINT TRIGGER {table}_capture_update AFTER UPDATE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION {Function}();
        """;

    /// <summary>The first migration's triggers, which fired at each statement: what reverting to it restores.</summary>
    public static string StatementTriggerSql(string table) => $"""
        CREATE TRIGGER {table}_capture_insert_delete AFTER INSERT OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {Function}();
        CREATE TRIGGER {table}_capture_update AFTER UPDATE ON {table}
            FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION {Function}();
        """;

    public static string DropTriggerSql(string table) => $"""
        DROP TRIGGER {table}_capture_insert_delete ON {table};
        DROP TRIGGER {table}_capture_update ON {table};
        """;

    /// <summary>
    /// The triggers of a table that lacks one or both (one dropped by hand, or calling another function): constraint
    /// triggers cannot be created or replaced, so what is there goes first.
    /// </summary>
    public static string ReinstallTriggerSql(string table) => $"""
        DROP TRIGGER IF EXISTS {table}_capture_insert_delete ON {table};
        DROP TRIGGER IF EXISTS {table}_capture_update ON {table};
        {TriggerSql(table)}
        """;
}
