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

        var healthCheckKey = $"{databaseName}_check";
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, cancellationToken) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken));
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of {databaseName} is not known yet."),
            name: healthCheckKey);

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithHealthCheck(healthCheckKey);
    }

    private static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgresServer(
        this IDistributedApplicationBuilder builder, string name, InfrastructureSettings settings)
    {
        var (command, prefix) = LocalBinaries.AsPostgresUser(settings.Binaries.Postgres!);
        var server = new LocalPostgresServerResource(name, command, settings.DataDirectory, Path.Combine(settings.DataDirectory, name));
        LocalPostgresCluster.EnsurePassword(server);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (@event, cancellationToken) =>
            LocalPostgresCluster.InitializeAsync(
                server,
                settings.Binaries.InitDb!,
                @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server),
                cancellationToken));

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, cancellationToken) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of {name} is not known yet."),
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithEndpoint(scheme: "tcp", name: LocalPostgresServerResource.PrimaryEndpointName)
            .WithHealthCheck(healthCheckKey)
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
            });
    }
}
