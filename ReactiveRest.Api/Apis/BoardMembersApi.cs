using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReactiveRest.Api.Extensions;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;

namespace ReactiveRest.Api.Apis;

/// <summary>
/// A board's members: who may see and change it. Only members may read or change membership; to anyone else the board
/// does not exist (404). A change of membership is a captured change like any other: the rows of the board appear in,
/// or disappear from, that user's live lists.
/// </summary>
public static class BoardMembersApi
{
    public static IEndpointRouteBuilder MapBoardMembersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/boards/{id:int}/members")
            .WithTags("Board members")
            .WithMetadata(new RequestSizeLimitAttribute(Limits.BodyBytes))
            .RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/", ListMembers).WithName("ListBoardMembers").WithSummary("List a board's members").Produces<BoardMember[]>();
        api.MapPost("/", AddMember).WithName("AddBoardMember").WithSummary("Add a member to a board")
            .Accepts<MemberInput>("application/json").Produces<BoardMember>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{user}", RemoveMember).WithName("RemoveBoardMember").WithSummary("Remove a member from a board (a member may leave)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The body of an added member, for the OpenAPI document.</summary>
    public sealed record MemberInput(string User);

    private static async Task<IResult> ListMembers(int id, HttpContext context, ReactiveDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.BoardsOf(Users.Of(context.User)).AnyAsync(board => board.Id == id, cancellationToken))
        {
            return Problems.NotFound("Board", id);
        }

        return TypedResults.Ok(await db.BoardMembers.AsNoTracking().Where(member => member.BoardId == id).OrderBy(member => member.User).ToListAsync(cancellationToken));
    }

    private static async Task<IResult> AddMember(int id, HttpContext context, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (fields, problem) = await JsonBody.ReadObjectAsync(context.Request, cancellationToken);
        if (fields is null)
        {
            return problem!;
        }

        var user = fields.String("user", required: true, Limits.UserNameLength);
        if (user is not null && !Users.IsValidName(user))
        {
            fields.Fail("user", $"A user name is {Users.Rule}.");
        }

        if (fields.Errors.Any)
        {
            return Problems.Validation(fields.Errors);
        }

        if (!await db.BoardsOf(Users.Of(context.User)).AnyAsync(board => board.Id == id, cancellationToken))
        {
            return Problems.NotFound("Board", id);
        }

        var member = new BoardMember { BoardId = id, User = user!, AddedAt = time.UtcNowForDatabase() };
        db.BoardMembers.Add(member);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Already a member", $"'{user}' is a member of board {id} already.");
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            // The board was deleted between the check and the insert.
            return Problems.NotFound("Board", id);
        }

        return TypedResults.Created($"/api/boards/{id}/members/{Uri.EscapeDataString(member.User)}", member);
    }

    private static async Task<IResult> RemoveMember(int id, string user, HttpContext context, ReactiveDbContext db, CancellationToken cancellationToken)
    {
        var caller = Users.Of(context.User);
        var outcome = await db.InTransactionAsync(async token =>
        {
            // The board's row is locked, so two members removing each other at once cannot leave it with none.
            var locked = await db.Database.SqlQuery<int>($"SELECT id AS \"Value\" FROM boards WHERE id = {id} FOR UPDATE").ToListAsync(token);
            if (locked.Count == 0 || !await db.BoardMembers.AnyAsync(member => member.BoardId == id && member.User == caller, token))
            {
                return Removal.NoBoard;
            }

            var members = await db.BoardMembers.Where(member => member.BoardId == id).Select(member => member.User).ToListAsync(token);
            if (!members.Contains(user))
            {
                return Removal.NoMember;
            }

            if (members.Count == 1)
            {
                return Removal.LastMember;
            }

            await db.BoardMembers.Where(member => member.BoardId == id && member.User == user).ExecuteDeleteAsync(token);
            return Removal.Removed;
        }, cancellationToken);

        return outcome switch
        {
            Removal.NoBoard => Problems.NotFound("Board", id),
            Removal.NoMember => Problems.Create(StatusCodes.Status404NotFound, "Not found", $"'{user}' is not a member of board {id}."),
            Removal.LastMember => Problems.Create(StatusCodes.Status409Conflict, "Last member",
                $"'{user}' is the last member of board {id}; a board keeps at least one member (delete the board instead)."),
            _ => TypedResults.NoContent(),
        };
    }

    private enum Removal
    {
        Removed,
        NoBoard,
        NoMember,
        LastMember,
    }
}
