using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Evaluates one query of every resource before the replica takes traffic: EF Core builds its model and compiles the
/// queries on first use, which took up to three seconds, and the first write's subscribers would wait for it.
/// </summary>
public sealed class EvaluationWarmup(
    ResourceCatalog catalog,
    ReactiveDatabase database,
    IOptions<ResourceJsonOptions> json,
    ILogger<EvaluationWarmup> logger) : IHostedService
{
    /// <summary>Compiles the same queries a user's observer runs; the name matches nobody's rows.</summary>
    private const string WarmupUser = "warmup";

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in catalog.All)
        {
            try
            {
                var list = resource.ParseQuery([], new QueryErrors())!;
                await database.RunAsync(db => resource.EvaluateAsync(db, ObserverQuery.ForList(resource, list, WarmupUser), json.Value.SerializerOptions, cancellationToken));
                await database.RunAsync(db => resource.EvaluateAsync(db, ObserverQuery.ForItem(resource, NoKey(resource.KeyType), WarmupUser), json.Value.SerializerOptions, cancellationToken));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A database that is not there yet only means the first evaluation pays the start-up cost.
                logger.LogDebug(exception, "Warming up the evaluation of {Resource} failed", resource.Name);
            }
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A key of the resource's type that names no row in practice (0, the empty UUID, the empty string).</summary>
    private static object NoKey(Type keyType) => keyType == typeof(string) ? "" : Activator.CreateInstance(keyType)!;
}
