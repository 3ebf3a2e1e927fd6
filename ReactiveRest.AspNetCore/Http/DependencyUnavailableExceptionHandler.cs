using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// A dependency that is unreachable (Redis for observing, unsubscribing and statistics; PostgreSQL for everything) is
/// a 503 problem the client may retry, not a 500. Nothing was written: a write either committed (and its change was
/// captured with it) or it did not.
/// </summary>
public sealed class DependencyUnavailableExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var store = exception switch
        {
            RedisException or RedisTimeoutException => "The subscription store (Redis)",
            _ when IsDatabaseUnavailable(exception) => "The database",
            _ => null,
        };
        if (store is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = $"{store} cannot be reached; retry shortly.",
            },
        });
    }

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            // A connection that failed or broke, or retries that ran out on such failures; not a bad statement.
            if (current is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException
                or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
            {
                return true;
            }
        }

        return false;
    }
}
