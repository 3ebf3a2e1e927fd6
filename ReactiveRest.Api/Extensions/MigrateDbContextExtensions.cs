using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Api.Extensions;

/// <summary>
/// Applies EF Core migrations while the host starts, before Kestrel takes requests, inside a span so the dashboard
/// shows how long it took and why it failed (as dotnet/eShop does). <c>/health</c> reports unhealthy until they are
/// applied: the observers start once the API is healthy and evaluate queries on the migrated tables.
/// </summary>
public static class MigrateDbContextExtensions
{
    private const string ActivitySourceName = "ReactiveRest.Migrations";
    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static IHostApplicationBuilder AddMigration<TContext>(this IHostApplicationBuilder builder) where TContext : DbContext
    {
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(ActivitySourceName));
        builder.Services.AddSingleton<MigrationHostedService<TContext>>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MigrationHostedService<TContext>>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "migrations", services => services.GetRequiredService<MigrationHostedService<TContext>>(), failureStatus: null, tags: null));
        return builder;
    }

    private sealed class MigrationHostedService<TContext>(IServiceProvider services, ILogger<MigrationHostedService<TContext>> logger)
        : IHostedService, IHealthCheck where TContext : DbContext
    {
        private volatile bool _migrated;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            using var activity = ActivitySource.StartActivity($"Migrating {typeof(TContext).Name}", ActivityKind.Client);
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            try
            {
                logger.LogInformation("Migrating database of {DbContext}", typeof(TContext).Name);
                var strategy = context.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(async () =>
                {
                    await CreateHistoryTableAsync(context, cancellationToken);
                    await context.Database.MigrateAsync(cancellationToken);
                });

                // Capture follows the registered resources: every table they read gets its triggers, none by hand.
                var catalog = scope.ServiceProvider.GetRequiredService<ResourceCatalog>();
                var installed = await CaptureReconciler.ReconcileAsync(context, catalog.CapturedTables, cancellationToken);
                if (installed.Count > 0)
                {
                    logger.LogInformation("Installed change capture on {Tables}", string.Join(", ", installed));
                }

                await CaptureReconciler.VerifyAsync(context, catalog, cancellationToken);
                activity?.Stop();
                _migrated = true;
                logger.LogInformation("Migrated the database of {DbContext}", typeof(TContext).Name);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Migrating the database of {DbContext} failed", typeof(TContext).Name);
                activity?.AddException(exception);
                activity?.SetStatus(ActivityStatusCode.Error);
                throw;
            }
        }

        /// <summary>
        /// Npgsql's migrator does not look whether its history table exists: it reads it and takes "relation does not
        /// exist" for "nothing applied yet", which EF logs as a failed command (20102) and PostgreSQL as an ERROR at
        /// every first start (npgsql/efcore.pg#3407). Creating the table first, with idempotent DDL, leaves that read
        /// nothing to fail on, so every command error that is logged is a real one.
        /// </summary>
        private static async Task CreateHistoryTableAsync(TContext context, CancellationToken cancellationToken)
        {
            var database = context.GetService<IRelationalDatabaseCreator>();
            if (!await database.ExistsAsync(cancellationToken))
            {
                await database.CreateAsync(cancellationToken);
            }

            await context.Database.ExecuteSqlRawAsync(context.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(_migrated ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database is not migrated yet."));
    }
}
