using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Api.Extensions;
using ReactiveRest.ApiModel;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;

namespace ReactiveRest.Api.Apis;

public static class TasksApi
{
    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tasks")
            .WithTags("Tasks")
            .WithMetadata(new RequestSizeLimitAttribute(Limits.BodyBytes))
            .RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapGet("/", ListTasks).WithName("ListTasks").WithSummary("List the tasks of the caller's boards, filtered, ordered and paginated")
            .Produces<ListPage<TaskItem>>();
        api.MapGet("/{id:int}", GetTask).WithName("GetTask").WithSummary("Get one task").Produces<TaskItem>();
        api.MapPost("/", CreateTask).WithName("CreateTask").WithSummary("Create a task on a board")
            .Accepts<TaskInput>("application/json").Produces<TaskItem>(StatusCodes.Status201Created);
        api.MapPut("/{id:int}", ReplaceTask).WithName("ReplaceTask").WithSummary("Replace a task")
            .Accepts<TaskInput>("application/json").Produces<TaskItem>();
        api.MapPatch("/{id:int}", UpdateTask).WithName("UpdateTask").WithSummary("Update some fields of a task")
            .Accepts<TaskInput>("application/json").Produces<TaskItem>();
        api.MapDelete("/{id:int}", DeleteTask).WithName("DeleteTask").WithSummary("Delete a task")
            .Produces(StatusCodes.Status204NoContent);
        return app;
    }

    /// <summary>The writable fields of a task, for the OpenAPI document. Position defaults to the end of the board.</summary>
    public sealed record TaskInput(int BoardId, string Title, bool? Done, int? Position);

    private static Task<IResult> ListTasks(HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        db.ListAsync(ApiResources.Tasks, request, cancellationToken);

    private static Task<IResult> GetTask(int id, HttpRequest request, ReactiveDbContext db, CancellationToken cancellationToken) =>
        db.GetAsync(ApiResources.Tasks, id, "Task", request, cancellationToken);

    private static Task<IResult> CreateTask(HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        WriteTask(null, TaskWrite.Create, request, db, time, cancellationToken);

    private static Task<IResult> ReplaceTask(int id, HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        WriteTask(id, TaskWrite.Replace, request, db, time, cancellationToken);

    private static Task<IResult> UpdateTask(int id, HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        WriteTask(id, TaskWrite.Update, request, db, time, cancellationToken);

    private enum TaskWrite
    {
        Create,
        Replace,
        Update,
    }

    private static async Task<IResult> WriteTask(int? id, TaskWrite write, HttpRequest request, ReactiveDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (fields, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (fields is null)
        {
            return problem!;
        }

        var required = write != TaskWrite.Update;
        var boardId = fields.Integer("boardId", required);
        var title = fields.String("title", required, Limits.TitleLength);
        var done = fields.Boolean("done", required: false);
        var position = fields.Integer("position", required: false, min: 0, max: Limits.Position);
        if (fields.Errors.Any)
        {
            return Problems.Validation(fields.Errors);
        }

        // Another user's task or board is "not found": its existence does not leak.
        var user = Users.Of(request.HttpContext.User);
        TaskItem? task = null;
        if (id is { } existingId && (task = await db.TasksOf(user).FirstOrDefaultAsync(t => t.Id == existingId, cancellationToken)) is null)
        {
            return Problems.NotFound("Task", existingId);
        }

        if (boardId is { } board && board != task?.BoardId && !await db.BoardsOf(user).AnyAsync(b => b.Id == board, cancellationToken))
        {
            return BoardDoesNotExist(fields, board);
        }

        var now = time.UtcNowForDatabase();
        if (task is null)
        {
            task = new TaskItem
            {
                BoardId = boardId!.Value,
                Title = title!,
                CreatedAt = now,
                Position = position ?? await NextPositionAsync(db, boardId.Value, cancellationToken),
            };
            db.Tasks.Add(task);
        }

        task.BoardId = boardId ?? task.BoardId;
        task.Title = title ?? task.Title;
        task.Done = done ?? task.Done;
        task.Position = position ?? task.Position;
        task.UpdatedAt = now;

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another request between our read and our update.
            return Problems.NotFound("Task", task.Id);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            // The board was deleted between the check above and the commit.
            return BoardDoesNotExist(fields, task.BoardId);
        }

        return write == TaskWrite.Create ? TypedResults.Created($"/api/tasks/{task.Id}", task) : TypedResults.Ok(task);
    }

    private static IResult BoardDoesNotExist(JsonFields fields, int boardId)
    {
        fields.Fail("boardId", $"Board {boardId} does not exist.");
        return Problems.Validation(fields.Errors);
    }

    private static async Task<int> NextPositionAsync(ReactiveDbContext db, int boardId, CancellationToken cancellationToken) =>
        (await db.Tasks.Where(t => t.BoardId == boardId).MaxAsync(t => (int?)t.Position, cancellationToken) ?? -1) + 1;

    private static async Task<IResult> DeleteTask(int id, HttpContext context, ReactiveDbContext db, CancellationToken cancellationToken)
    {
        var user = Users.Of(context.User);
        var deleted = await db.InTransactionAsync(
            token => db.TasksOf(user).Where(task => task.Id == id).ExecuteDeleteAsync(token), cancellationToken);
        return deleted == 0 ? Problems.NotFound("Task", id) : TypedResults.NoContent();
    }
}
