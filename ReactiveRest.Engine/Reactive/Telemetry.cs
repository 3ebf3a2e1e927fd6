using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ReactiveRest.Engine.Reactive;

/// <summary>ReactiveRest's own spans and metrics; ServiceDefaults registers the name with OpenTelemetry.</summary>
public static class Telemetry
{
    public const string Name = "ReactiveRest";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Evaluations = Meter.CreateCounter<long>("reactiverest.observer.evaluations", description: "Query evaluations by observers");

    public static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("reactiverest.websocket.messages", description: "Protocol messages sent to subscribers");
}
