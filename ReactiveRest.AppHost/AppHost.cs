using ReactiveRest.AppHost.Commands;
using ReactiveRest.AppHost.Deployment;
using ReactiveRest.AppHost.Infrastructure;
using ReactiveRest.AppHost.LiveBoard;
using ReactiveRest.AppHost.Security;
using ReactiveRest.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// Containers where a container runtime is healthy (and always when publishing), local processes otherwise.
var infrastructure = InfrastructureSettings.Resolve(builder);

var redis = builder.AddRedisServer("redis", infrastructure);
var database = builder.AddPostgresDatabase("postgres", "reactivedb", infrastructure);
var authentication = builder.AddAuthenticationParameters();

var api = builder.AddProject<Projects.ReactiveRest_Api>("api")
    .WithReference(database).WaitFor(database)
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health")
    .WithReactiveSettings()
    .WithAuthentication(authentication)
    .WithExternalHttpEndpointsWhenPublished()
    .WithSeedDemoDataCommand();

// The observers evaluate queries on the database the API migrated, so they start once the API is healthy.
var observers = builder.AddReactiveObservers<Projects.ReactiveRest_Observers>("observers", database, redis, api)
    .WithAuthentication(authentication)
    .AllowingPagesOf(api)
    .WithExternalHttpEndpointsWhenPublished()
    .WithShowObserversCommand(api);

// The live board page the API serves at "/" opens its WebSocket on the observers' public URL. An environment
// reference creates no wait, so the API still starts first.
api.WithLiveBoardPage(observers);

builder.Build().Run();
