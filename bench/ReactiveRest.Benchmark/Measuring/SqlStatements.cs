using Npgsql;

namespace ReactiveRest.Benchmark.Measuring;

/// <summary>
/// Counts the SQL statements the system runs, from pg_stat_statements (the AppHost's local PostgreSQL preloads it):
/// reset before a phase, read after. The benchmark's own statements mention pg_stat_statements and are left out.
/// Statements run inside functions and triggers are not counted (pg_stat_statements.track = top).
/// </summary>
internal sealed class SqlStatements(string connectionString)
{
    public async Task InstallAsync(CancellationToken cancellationToken) =>
        await ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", cancellationToken);

    public async Task ResetAsync(CancellationToken cancellationToken) =>
        await ExecuteAsync("SELECT pg_stat_statements_reset()", cancellationToken);

    public async Task<SqlTally> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT query, calls FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query NOT ILIKE '%pg_stat_statements%'
            ORDER BY calls DESC
            """, connection);
        var statements = new List<SqlStatement>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var query = reader.GetString(0);
                statements.Add(new SqlStatement(SqlCategory.Of(query), reader.GetInt64(1), query));
            }
        }

        var byCategory = SqlCategory.All.ToDictionary(category => category, category => statements.Where(s => s.Category == category).Sum(s => s.Calls), StringComparer.Ordinal);
        return new SqlTally(statements.Sum(s => s.Calls), byCategory, [.. statements.Take(12).Select(s => s with { Query = Shorten(s.Query) })]);
    }

    private static string Shorten(string query)
    {
        var line = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 160 ? line : line[..157] + "...";
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
