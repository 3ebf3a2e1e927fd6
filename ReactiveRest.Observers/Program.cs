using ReactiveRest.ApiModel;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;
using ReactiveRest.Observers.Diagnostics;
using ReactiveRest.Observers.Extensions;
using ReactiveRest.Observers.Subscribers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTaskBoardModel();
builder.AddObserverServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseObserverWebSockets();
app.UseReactiveSecurity();

app.MapDefaultEndpoints();
app.MapSubscriberWebSocket();
app.MapQueryObserverApi();
app.MapObserverDiagnostics();

app.Run();
