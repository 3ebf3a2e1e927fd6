using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.Api.Extensions;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;

namespace ReactiveRest.Api.Apis;

public static class BoardsApi
{
    public static IEndpointRouteBuilder MapBoardsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/boards")
            .WithTags("Boards")
            .WithMetadata(new RequestSizeLimitAttribute(Limits.BodyBytes))
            .RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapGet("/", ListBoards).WithName("ListBoards").WithSummary("List the caller's boards, filtered, ordered and paginated")
            .Produces<ListPage<Board>>();
        api.MapGet("/{id:int}", GetBoard).WithName("GetBoard").WithSummary("Get one board").Produces<Board>();
        api.MapPost("/", CreateBoard).WithName("CreateBoard").WithSummary("Create a board; its creator is its first member")
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

    private static Task<IResult> CreateBoard(HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        WriteBoard(null, partial: false, request, db, time, cancellationToken);

    private static Task<IResult> ReplaceBoard(int id, HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        WriteBoard(id, partial: false, request, db, time, cancellationToken);

    private static Task<IResult> UpdateBoard(int id, HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        WriteBoard(id, partial: true, request, db, time, cancellationToken);

    /// <param name="id">The board to replace or update; null to create one.</param>
    private static async Task<IResult> WriteBoard(int? id, bool partial, HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = Users.Of(request.HttpContext.User);
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

        if (id is null)
        {
            var created = new Board { Name = name! };
            await db.InTransactionAsync(async token =>
            {
                db.Boards.Add(created);
                await db.SaveChangesAsync(token);
                db.BoardMembers.Add(new BoardMember { BoardId = created.Id, User = user, AddedAt = time.UtcNowForDatabase() });
                return await db.SaveChangesAsync(token);
            }, cancellationToken);
            return TypedResults.Created($"/api/boards/{created.Id}", created);
        }

        // Another user's board is "not found": its existence does not leak.
        if (await db.BoardsOf(user).FirstOrDefaultAsync(b => b.Id == id, cancellationToken) is not { } board)
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

        return TypedResults.Ok(board);
    }

    private static async Task<IResult> DeleteBoard(int id, HttpContext context, ReactiveDbContext db, CancellationToken cancellationToken)
    {
        // The database deletes the board's tasks and memberships with it (ON DELETE CASCADE); change capture sees each.
        var user = Users.Of(context.User);
        var deleted = await db.InTransactionAsync(
            token => db.BoardsOf(user).Where(board => board.Id == id).ExecuteDeleteAsync(token), cancellationToken);
        return deleted == 0 ? Problems.NotFound("Board", id) : TypedResults.NoContent();
    }
}
