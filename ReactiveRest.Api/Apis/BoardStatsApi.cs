using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Http;

namespace ReactiveRest.Api.Apis;

public static class BoardStatsApi
{
    public static IEndpointRouteBuilder MapBoardStatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/boardstats")
            .WithTags("Board statistics")
            .RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/", (HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
                db.ListAsync(ApiResources.BoardStatistics, request, cancellationToken))
            .WithName("ListBoardStats").WithSummary("Task counts per board, filtered, ordered and paginated (observers poll them)")
            .Produces<ListPage<BoardStats>>();
        api.MapGet("/{id:int}", (int id, HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
                db.GetAsync(ApiResources.BoardStatistics, id, "Board", request, cancellationToken))
            .WithName("GetBoardStats").WithSummary("One board's task counts").Produces<BoardStats>();
        return app;
    }
}
