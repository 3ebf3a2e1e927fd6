using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace ReactiveRest.Api.Extensions;

/// <summary>
/// Applies EF Core migrations while the host starts, before Kestrel takes requests, inside a span so the dashboard
/// shows how long it took and why it failed (as dotnet/eShop does).
/// </summary>
public static class MigrateDbContextExtensions
{
    private const string ActivitySourceName = "ReactiveRest.Migrations";
    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static IHostApplicationBuilder AddMigration<TContext>(this IHostApplicationBuilder builder) where TContext : DbContext
    {
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(ActivitySourceName));
        builder.Services.AddHostedService<MigrationHostedService<TContext>>();
        return builder;
    }

    private sealed class MigrationHostedService<TContext>(IServiceProvider services, ILogger<MigrationHostedService<TContext>> logger)
        : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            using var activity = ActivitySource.StartActivity($"Migrating {typeof(TContext).Name}", ActivityKind.Client);
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            try
            {
                logger.LogInformation("Migrating database of {DbContext}", typeof(TContext).Name);
                var strategy = context.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(() => context.Database.MigrateAsync(cancellationToken));
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Migrating the database of {DbContext} failed", typeof(TContext).Name);
                activity?.AddException(exception);
                activity?.SetStatus(ActivityStatusCode.Error);
                throw;
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
