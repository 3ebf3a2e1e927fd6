using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Refuses to start a service whose resources read a table without change capture (<see cref="CaptureReconciler.VerifyAsync"/>):
/// such a resource would never be live, silently. A database that cannot be reached yet is waited for, since that
/// is an outage to ride out, not a definition to fix.
/// </summary>
public sealed class CaptureCheck(ReactiveDatabase database, ResourceCatalog catalog, ILogger<CaptureCheck> logger) : IHostedService
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await database.RunAsync(async db =>
                {
                    await CaptureReconciler.VerifyAsync(db, catalog, cancellationToken);
                    return true;
                });
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException || exception.InnerException is NpgsqlException)
            {
                if (attempt == 0)
                {
                    logger.LogWarning(exception, "Cannot check change capture yet; retrying every {Delay}", Retry);
                }

                await Task.Delay(Retry, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
