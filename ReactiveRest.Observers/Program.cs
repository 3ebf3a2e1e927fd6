using Microsoft.AspNetCore.Connections;
using ReactiveRest.ApiModel;
using ReactiveRest.Engine.Diagnostics;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.WebSockets;
using ReactiveRest.Engine.Worker;
using ReactiveRest.Observers.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTaskBoardModel();
builder.AddReactiveObservers();
// Many long-lived, mostly idle connections: small socket buffers (see SmallBlockMemoryPool).
builder.Services.AddSingleton<IMemoryPoolFactory<byte>, SmallBlockMemoryPoolFactory>();

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
