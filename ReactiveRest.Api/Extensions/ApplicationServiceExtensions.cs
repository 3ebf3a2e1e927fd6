using Microsoft.AspNetCore.Http.Features;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Security;

namespace ReactiveRest.Api.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTaskBoardModel();
        builder.AddMigration<ReactiveDbContext>();
        builder.AddReactiveAuthentication();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<FormOptions>(options => options.MultipartBodyLengthLimit = Limits.BodyBytes);
        return builder;
    }
}
