using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ReactiveRest.Engine.Reactive;

/// <summary>ReactiveRest's own spans and metrics; ServiceDefaults registers the name with OpenTelemetry.</summary>
public static class Telemetry
{
    public const string Name = "ReactiveRest";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Evaluations = Meter.CreateCounter<long>(
        "reactiverest.observer.evaluations", "{evaluation}", "Query evaluations by observers");

    public static readonly Histogram<double> EvaluationDuration = Meter.CreateHistogram<double>(
        "reactiverest.observer.evaluation.duration", "ms", "Time to evaluate a query, diff and commit its messages");

    public static readonly Counter<long> ChangesRelayed = Meter.CreateCounter<long>(
        "reactiverest.changes.relayed", "{change}", "Row changes relayed from PostgreSQL to Redis");

    public static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>(
        "reactiverest.websocket.messages", "{message}", "Protocol messages sent to subscribers");

    public static readonly Histogram<double> WriteToPushLatency = Meter.CreateHistogram<double>(
        "reactiverest.push.latency", "ms", "From a change's capture in its write's transaction to its message's send on a WebSocket");

    public static readonly Counter<long> Collapses = Meter.CreateCounter<long>(
        "reactiverest.subscriber.collapses", "{collapse}", "Backlogs replaced by one diff to the current result");

    public static readonly Counter<long> Expirations = Meter.CreateCounter<long>(
        "reactiverest.subscriber.expired", "{subscription}", "Subscriptions a client was told to observe again");
}
