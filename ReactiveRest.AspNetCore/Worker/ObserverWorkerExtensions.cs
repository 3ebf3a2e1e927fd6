using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Delivery;
using ReactiveRest.Engine.Diagnostics;
using ReactiveRest.Engine.Maintenance;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Security;
using ReactiveRest.Engine.Subscribers;
using ReactiveRest.Engine.WebSockets;

namespace ReactiveRest.Engine.Worker;

/// <summary>The registration of the observers worker, the process that delivers an application's observers live.</summary>
public static class ObserverWorkerExtensions
{
    /// <summary>
    /// The observers worker: the change relay, the change stream reader and matcher, the evaluation scheduler, the
    /// delivery path to subscribers' WebSockets, the maintenance loop and the replica's gauges. It knows no resource by
    /// name: it evaluates whatever the application registered with <c>AddReactiveCore</c> (its model and resource
    /// catalog) before calling this. Map the WebSocket with <see cref="SubscriberWebSocketEndpoint.MapSubscriberWebSocket"/>.
    /// </summary>
    public static IHostApplicationBuilder AddReactiveObservers(this IHostApplicationBuilder builder)
    {
        builder.AddReactiveAuthentication();

        // Capture, match, evaluate (and diff, and append to the log).
        builder.Services.AddHostedService<CaptureCheck>();
        builder.Services.AddHostedService<EvaluationWarmup>();
        builder.Services.AddSingleton<ReplicaRegistry>();
        builder.Services.AddHostedService<ChangeRelay>();
        builder.Services.AddSingleton<EvaluationScheduler>();
        builder.Services.AddSingleton<ChangeMatcher>();
        builder.Services.AddSingleton<IChangeHandler>(services => services.GetRequiredService<ChangeMatcher>());
        builder.Services.AddHostedService<ChangeStreamReader>();

        // Push and resume.
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<FeedCache>();
        builder.Services.AddSingleton<SubscriptionExpiry>();
        builder.Services.AddSingleton<SessionDetacher>();
        builder.Services.AddSingleton<SessionTakeover>();
        builder.Services.AddSingleton<SubscriptionResumer>();
        builder.Services.AddSingleton<SessionReassertion>();
        builder.Services.AddSingleton<StuckSessionSweep>();
        builder.Services.AddSingleton<DeliveryStatus>();
        // Started in this order and stopped in the reverse: the control loop stops reading before the sessions are
        // asked to close, and the feed channel is subscribed before the first subscription can attach.
        builder.Services.AddSingleton<SubscriberSocketServer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SubscriberSocketServer>());
        builder.Services.AddSingleton<FeedRouter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FeedRouter>());
        builder.Services.AddSingleton<ControlEventLoop>();
        builder.Services.AddSingleton<FeedCatchUp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FeedCatchUp>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ControlEventLoop>());

        builder.Services.AddHostedService<ObserverMaintenance>();
        builder.Services.AddHostedService<ObserverVerifier>();
        builder.Services.AddHostedService<ReplicaGauges>();
        return builder;
    }
}
