namespace ReactiveRest.Benchmark.Measuring;

/// <summary>Which part of the system a statement recorded by pg_stat_statements belongs to, told by its text.</summary>
internal static class SqlCategory
{
    public const string Write = "write";
    public const string ListRead = "list read";
    public const string Relay = "change relay";
    public const string Transaction = "transaction control";
    public const string PoolReset = "pool reset";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Write, ListRead, Relay, Transaction, PoolReset, Other];

    public static string Of(string query)
    {
        var text = query.TrimStart();
        if (text.Contains("reactive_changes", StringComparison.OrdinalIgnoreCase)
            || text.Contains("advisory", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("LISTEN", StringComparison.OrdinalIgnoreCase))
        {
            return Relay;
        }

        if (text.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("COMMIT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("ROLLBACK", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("START TRANSACTION", StringComparison.OrdinalIgnoreCase))
        {
            return Transaction;
        }

        if (text.StartsWith("DISCARD ALL", StringComparison.OrdinalIgnoreCase))
        {
            // Npgsql resets a pooled connection when it is taken again.
            return PoolReset;
        }

        if (text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)
            || text.Contains("set_config", StringComparison.OrdinalIgnoreCase))
        {
            return Write;
        }

        if (text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && text.Contains("ORDER BY", StringComparison.OrdinalIgnoreCase))
        {
            return ListRead;
        }

        // What remains of the write path is the read of the row being patched (by its key, LIMIT 1).
        if (text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
            && (text.Contains("FROM tasks", StringComparison.OrdinalIgnoreCase) || text.Contains("FROM \"tasks\"", StringComparison.OrdinalIgnoreCase))
            && text.Contains("LIMIT", StringComparison.OrdinalIgnoreCase))
        {
            return Write;
        }

        return Other;
    }
}
