using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>Creates the PostgreSQL cluster of a local server once (initdb), and databases on it when it is ready.</summary>
public static class LocalPostgresCluster
{
    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// Makes sure the cluster's password exists before anything resolves a connection string. It is kept beside the
    /// cluster, which outlives one AppHost run.
    /// </summary>
    public static void EnsurePassword(LocalPostgresServerResource server)
    {
        PrivateDirectory.RefuseLinks(server.PrivateDirectory, server.PasswordFile);
        if (PrivateDirectory.ReadSecret(server.PasswordFile) is { } password)
        {
            server.Password = password.Trim();
            return;
        }

        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            throw new DistributedApplicationException(
                $"The PostgreSQL cluster in {server.DataDirectory} has lost its password file {server.PasswordFile}; delete the folder to start afresh.");
        }

        server.Password = RandomNumberGenerator.GetString(PasswordAlphabet, 32);
        PrivateDirectory.WriteSecret(server.PasswordFile, server.Password);
    }

    public static async Task InitializeAsync(LocalPostgresServerResource server, string initDb, ILogger logger, CancellationToken cancellationToken)
    {
        PrivateDirectory.RefuseLinks(server.ParentDirectory, server.DataDirectory);
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            logger.LogInformation("Using the existing PostgreSQL cluster in {DataDirectory}", server.DataDirectory);
            return;
        }

        logger.LogInformation("Creating a PostgreSQL cluster in {DataDirectory}", server.DataDirectory);
        if (Directory.Exists(server.DataDirectory))
        {
            // What a failed initdb left behind; initdb wants to create the folder itself.
            Directory.Delete(server.DataDirectory, recursive: true);
        }

        // initdb reads the superuser's password from a file; it runs as the postgres user, who must be able to read it.
        // Beside the cluster's folder, not in it: initdb wants an empty folder. As root, that is the postgres user's
        // directory: created exclusively (never through a link planted there), then given to that user.
        var passwordForInitDb = server.DataDirectory + ".initdb";
        PrivateDirectory.WriteSecret(passwordForInitDb, server.Password);
        if (Environment.IsPrivilegedProcess)
        {
            var (user, group) = LocalBinaries.PostgresUserIds();
            LibC.ChangeOwner(passwordForInitDb, user, group);
        }

        try
        {
            // initdb makes the cluster's folder itself, as the user the server runs as, with mode 0700.
            var (command, prefix) = LocalBinaries.AsPostgresUser(initDb);
            await RunAsync(command,
                [.. prefix, "--pgdata", server.DataDirectory, "--username", LocalPostgresServerResource.UserName,
                 "--auth", "scram-sha-256", "--pwfile", passwordForInitDb, "--encoding", "UTF8", "--no-locale", "--no-instructions"],
                logger, cancellationToken);
        }
        catch
        {
            // A half-made cluster would be taken for a good one next time.
            if (Directory.Exists(server.DataDirectory))
            {
                Directory.Delete(server.DataDirectory, recursive: true);
            }

            throw;
        }
        finally
        {
            File.Delete(passwordForInitDb);
        }
    }

    public static async Task CreateDatabaseAsync(LocalPostgresDatabaseResource database, ILogger logger, CancellationToken cancellationToken)
    {
        var serverConnectionString = await database.Parent.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(cancellationToken);

        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = database.DatabaseName } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        var quoted = "\"" + database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Created database {Database}", database.DatabaseName);
    }

    private static async Task RunAsync(string command, IReadOnlyList<string> arguments, ILogger logger, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new DistributedApplicationException($"Could not start {command}.");

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        foreach (var line in ((await output) + (await errors)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            logger.LogInformation("{Command}: {Line}", Path.GetFileName(command), line);
        }

        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"{command} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}; its output is in this resource's log.");
        }
    }
}
