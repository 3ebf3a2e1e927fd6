using ReactiveRest.Api.Apis;
using ReactiveRest.Api.Extensions;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseLiveBoardPage();
app.UseReactiveSecurity();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapScalarApiReference();

app.MapDevTokenApi(app.Environment);
app.MapBoardMembersApi();
app.MapBoardStatsApi();
app.MapReactiveResources();
app.MapQueryObserverApi();
app.MapLiveBoardPageApi();

app.Run();
