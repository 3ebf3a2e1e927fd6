using Microsoft.Extensions.Hosting;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Reactive;

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
            configureDbContextOptions: options => options.AddInterceptors(new TraceContextInterceptor()));
        builder.AddReactiveCore<ReactiveDbContext>(ApiResources.All);
        return builder;
    }
}
