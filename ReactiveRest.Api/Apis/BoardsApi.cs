using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.Api.Extensions;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Http;

namespace ReactiveRest.Api.Apis;

public static class BoardsApi
{
    public static IEndpointRouteBuilder MapBoardsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/boards")
            .WithTags("Boards")
            .WithMetadata(new RequestSizeLimitAttribute(Limits.BodyBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/", ListBoards).WithName("ListBoards").WithSummary("List boards, filtered, ordered and paginated")
            .Produces<ListPage<Board>>();
        api.MapGet("/{id:int}", GetBoard).WithName("GetBoard").WithSummary("Get one board").Produces<Board>();
        api.MapPost("/", CreateBoard).WithName("CreateBoard").WithSummary("Create a board")
            .Accepts<BoardInput>("application/json").Produces<Board>(StatusCodes.Status201Created);
        api.MapPut("/{id:int}", ReplaceBoard).WithName("ReplaceBoard").WithSummary("Replace a board")
            .Accepts<BoardInput>("application/json").Produces<Board>();
        api.MapPatch("/{id:int}", UpdateBoard).WithName("UpdateBoard").WithSummary("Update some fields of a board")
            .Accepts<BoardInput>("application/json").Produces<Board>();
        api.MapDelete("/{id:int}", DeleteBoard).WithName("DeleteBoard").WithSummary("Delete a board and its tasks")
            .Produces(StatusCodes.Status204NoContent);
        return app;
    }

    /// <summary>The writable fields of a board, for the OpenAPI document.</summary>
    public sealed record BoardInput(string Name);

    private static Task<IResult> ListBoards(HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        db.ListAsync(ApiResources.Boards, request, cancellationToken);

    private static Task<IResult> GetBoard(int id, HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        db.GetAsync(ApiResources.Boards, id, "Board", request, cancellationToken);

    private static Task<IResult> CreateBoard(HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        WriteBoard(null, partial: false, request, db, cancellationToken);

    private static Task<IResult> ReplaceBoard(int id, HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        WriteBoard(id, partial: false, request, db, cancellationToken);

    private static Task<IResult> UpdateBoard(int id, HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        WriteBoard(id, partial: true, request, db, cancellationToken);

    /// <param name="id">The board to replace or update; null to create one.</param>
    private static async Task<IResult> WriteBoard(int? id, bool partial, HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken)
    {
        var (fields, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (fields is null)
        {
            return problem!;
        }

        var name = fields.String("name", required: !partial, Limits.NameLength);
        if (fields.Errors.Any)
        {
            return Problems.Validation(fields.Errors);
        }

        Board? board;
        if (id is null)
        {
            db.Boards.Add(board = new Board { Name = name! });
        }
        else if ((board = await db.Boards.FirstOrDefaultAsync(b => b.Id == id, cancellationToken)) is null)
        {
            return Problems.NotFound("Board", id.Value);
        }

        board.Name = name ?? board.Name;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another request between our read and our update.
            return Problems.NotFound("Board", board.Id);
        }

        return id is null ? TypedResults.Created($"/api/boards/{board.Id}", board) : TypedResults.Ok(board);
    }

    private static async Task<IResult> DeleteBoard(int id, ReactiveDbContext db, CancellationToken cancellationToken)
    {
        // The database deletes the board's tasks with it (ON DELETE CASCADE); change capture sees each of them.
        var deleted = await db.InTransactionAsync(
            token => db.Boards.Where(board => board.Id == id).ExecuteDeleteAsync(token), cancellationToken);
        return deleted == 0 ? Problems.NotFound("Board", id) : TypedResults.NoContent();
    }
}
