using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Security;

/// <summary>
/// Per-user rate limits with ASP.NET Core's rate limiter: observe GETs (<c>observe=</c>) and writes each get a token
/// bucket per user (<see cref="ReactiveOptions.ObservesPerSecondPerUser"/>, <see cref="ReactiveOptions.WritesPerSecondPerUser"/>,
/// bursts of twice as many). A request over its limit is answered 429 with problem details and Retry-After.
/// </summary>
public static class RequestLimits
{
    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<ReactiveOptions>>((limiter, reactive) =>
        {
            var observes = reactive.Value.ObservesPerSecondPerUser;
            var writes = reactive.Value.WritesPerSecondPerUser;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Classify(context) switch
                {
                    Kind.Observe => RateLimitPartition.GetTokenBucketLimiter("observe:" + context.User.Identity!.Name, _ => PerSecond(observes)),
                    Kind.Write => RateLimitPartition.GetTokenBucketLimiter("write:" + context.User.Identity!.Name, _ => PerSecond(writes)),
                    _ => RateLimitPartition.GetNoLimiter(""),
                });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var observe = Classify(context) == Kind.Observe;
                context.Response.Headers.RetryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
                    : "1";
                await AuthenticationExtensions.WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                    observe
                        ? $"A user may make {observes} observe requests per second; retry after the Retry-After seconds."
                        : $"A user may make {writes} writes per second; retry after the Retry-After seconds.");
            };
        });
        return builder;
    }

    private enum Kind
    {
        None,
        Observe,
        Write,
    }

    /// <summary>Only requests of a named user are limited here; the others are answered 401 or 403 without reaching a handler.</summary>
    private static Kind Classify(HttpContext context)
    {
        if (context.User.Identity is not { IsAuthenticated: true, Name.Length: > 0 } || context.WebSockets.IsWebSocketRequest)
        {
            return Kind.None;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return context.Request.Query.ContainsKey(ResourceListing.ObserveParameter) ? Kind.Observe : Kind.None;
        }

        return HttpMethods.IsOptions(method) ? Kind.None : Kind.Write;
    }

    private static TokenBucketRateLimiterOptions PerSecond(int rate) => new()
    {
        TokenLimit = rate * 2,
        TokensPerPeriod = rate,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
