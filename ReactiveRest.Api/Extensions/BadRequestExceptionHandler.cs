using Microsoft.AspNetCore.Diagnostics;

namespace ReactiveRest.Api.Extensions;

/// <summary>
/// Kestrel and routing signal bad requests (a body over the size limit, a malformed header) by throwing
/// <see cref="BadHttpRequestException"/>; answer those with their own status as problem details instead of a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = badRequest.StatusCode, Title = "Bad request", Detail = badRequest.Message },
        });
    }
}
