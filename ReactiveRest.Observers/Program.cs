using ReactiveRest.Observers.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddObserverServices();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
