using Microsoft.AspNetCore.Http;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Http;

/// <summary>RFC 9457 problem details in the shapes the API answers with.</summary>
public static class Problems
{
    public static IResult Create(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <param name="id">The key asked for, an int, long, Guid or string.</param>
    public static IResult NotFound(string what, object id) =>
        Create(StatusCodes.Status404NotFound, "Not found", $"{what} {id} does not exist.");

    /// <summary>A 400 whose <c>errors</c> name each offending parameter or field.</summary>
    public static IResult Validation(QueryErrors errors, string detail = "One or more parameters or fields are invalid.") =>
        TypedResults.ValidationProblem(errors.ToDictionary(), detail: detail);
}
