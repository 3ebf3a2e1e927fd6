using System.Diagnostics;

namespace ReactiveRest.Engine.Reactive;

/// <summary>
/// ReactiveRest's own spans; ServiceDefaults registers the name with OpenTelemetry for traces and metrics (the meter is
/// <see cref="ReactiveMetrics"/>'s).
/// </summary>
public static class Telemetry
{
    public const string Name = "ReactiveRest";

    public static readonly ActivitySource Source = new(Name);
}
