using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Quotas;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Http;

/// <summary>The answer to a request its user's quota refused: a 429 problem naming the quota (docs/security.md).</summary>
public static class QuotaProblems
{
    public static IResult Refused(HttpContext context, string user, QuotaRefusal refusal)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(QuotaProblems).FullName!)
            .LogWarning("User {User} is at the {Quota} quota ({Held} of {Limit}); {Method} {Path} was refused",
                user, refusal.Name, refusal.Held, refusal.Limit, context.Request.Method, context.Request.Path.Value);
        if (refusal.Quota == Quota.Subscribers)
        {
            // Subscriber ids claimed but never used end by themselves after this long.
            var options = context.RequestServices.GetRequiredService<IOptions<ReactiveOptions>>().Value;
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling((options.GracePeriod + options.EvaluationTimeout).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Quota reached",
            detail: refusal.Detail,
            extensions: new Dictionary<string, object?> { ["quota"] = refusal.Name, ["limit"] = refusal.Limit, ["held"] = refusal.Held });
    }
}
