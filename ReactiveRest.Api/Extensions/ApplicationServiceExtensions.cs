using Microsoft.AspNetCore.Http.Features;
using ReactiveRest.Api.Data;
using ReactiveRest.Api.Model;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Api.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<ReactiveDbContext>("reactivedb");
        builder.AddMigration<ReactiveDbContext>();
        builder.AddRedisClient("redis");
        builder.AddReactiveCore();
        builder.AddChangePublishing();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<FormOptions>(options => options.MultipartBodyLengthLimit = Limits.BodyBytes);
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        return builder;
    }
}
