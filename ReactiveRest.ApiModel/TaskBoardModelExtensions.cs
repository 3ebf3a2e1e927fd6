using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Http;

namespace ReactiveRest.ApiModel;

public static class TaskBoardModelExtensions
{
    /// <summary>
    /// The task board's database (EF Core on Npgsql, writes traced into change capture) and its reactive resources, as
    /// both the API and the observers use them.
    /// </summary>
    public static IHostApplicationBuilder AddTaskBoardModel(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<ReactiveDbContext>("reactivedb",
            // Aspire's default retries back off for about a minute: a request would hang that long while the database
            // is down. A short retry rides out a blip; beyond it the client gets a 503 at once and retries itself.
            configureSettings: settings =>
            {
                settings.DisableRetry = true;
                // Give up connecting after two seconds rather than Npgsql's fifteen (a server behind a proxy may accept
                // and never answer). No session state outlives a transaction here (the trace setting is
                // transaction-local), so pooled connections need no reset statement. Twenty connections keep two cores
                // busy; a burst of requests queues for them instead of starting a hundred backends at once. The few
                // statements this service runs are prepared on each connection once used twice, so PostgreSQL stops
                // parsing and planning them for every read (the prepared statements survive because nothing resets).
                if (settings.ConnectionString is { } connectionString)
                {
                    settings.ConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
                    {
                        Timeout = 2,
                        NoResetOnClose = true,
                        MaxPoolSize = 20,
                        MaxAutoPrepare = 64,
                        AutoPrepareMinUsages = 2,
                    }.ConnectionString;
                }
            },
            configureDbContextOptions: options => options
                .UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(maxRetryCount: 1, maxRetryDelay: TimeSpan.FromMilliseconds(500), errorCodesToAdd: null))
                .AddInterceptors(new TraceContextInterceptor()));
        builder.AddReactiveCore<ReactiveDbContext>(ApiResources.All, ApiResources.AccessTables);
        return builder;
    }
}
