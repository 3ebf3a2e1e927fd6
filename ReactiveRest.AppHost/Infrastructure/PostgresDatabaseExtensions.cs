using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReactiveRest.AppHost.Infrastructure;

public static class PostgresDatabaseExtensions
{
    /// <summary>
    /// A PostgreSQL server named <paramref name="serverName"/> with one database, as containers or as a local
    /// <c>postgres</c> process, as the settings decide. Returns the database, the resource services reference.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresDatabase(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName, InfrastructureSettings settings)
    {
        if (settings.UseContainers)
        {
            return builder.AddPostgres(serverName).AddDatabase(databaseName);
        }

        var server = builder.AddLocalPostgresServer(serverName, settings);
        var database = new LocalPostgresDatabaseResource(databaseName, databaseName, server.Resource);

        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(database);
            try
            {
                await LocalPostgresCluster.CreateDatabaseAsync(database, logger, cancellationToken);
                await notifications.PublishUpdateAsync(database, state => state with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Creating database {Database} failed", databaseName);
                await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.FailedToStart });
            }
        });

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithConnectionStringHealthCheck((checks, connectionString, check) => checks.AddNpgSql(connectionString, name: check));
    }

    private static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgresServer(
        this IDistributedApplicationBuilder builder, string name, InfrastructureSettings settings)
    {
        var (command, prefix) = LocalBinaries.AsPostgresUser(settings.Binaries.Postgres!);
        var server = new LocalPostgresServerResource(
            name, command, settings.PostgresDirectory, Path.Combine(settings.PostgresDirectory, name), settings.DataDirectory);
        if (settings.PostgresDirectory != settings.DataDirectory)
        {
            PrivateDirectory.Ensure(settings.PostgresDirectory, LocalBinaries.PostgresUserIds());
        }

        LocalPostgresCluster.EnsurePassword(server);
        var port = FreePorts.Take();

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (@event, cancellationToken) =>
            LocalPostgresCluster.InitializeAsync(
                server,
                settings.Binaries.InitDb!,
                @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server),
                cancellationToken));

        return builder.AddResource(server)
            // Not behind DCP's proxy: a proxy accepts connections while PostgreSQL is down and never answers, where the
            // server itself refuses at once and clients fail fast.
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalPostgresServerResource.PrimaryEndpointName, isProxied: false)
            .WithConnectionStringHealthCheck((checks, connectionString, check) => checks.AddNpgSql(connectionString, name: check))
            .WithArgs(context =>
            {
                foreach (var argument in prefix)
                {
                    context.Args.Add(argument);
                }

                context.Args.Add("-D");
                context.Args.Add(server.DataDirectory);
                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
                // No Unix socket: its default folder may not be writable, and clients here use TCP.
                context.Args.Add("-c");
                context.Args.Add("unix_socket_directories=");
                // Counts every statement, so the benchmark can report SQL statements per write (CREATE EXTENSION to read them).
                context.Args.Add("-c");
                context.Args.Add("shared_preload_libraries=pg_stat_statements");
            });
    }
}
