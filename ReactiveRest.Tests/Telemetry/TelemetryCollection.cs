namespace ReactiveRest.Tests.Telemetry;

/// <summary>
/// The telemetry tests share one <see cref="TelemetryStack"/> and run one after the other: OpenTelemetry's meter
/// providers pick instruments by meter name across the whole process, so a second stack's in-process replica would feed
/// (or displace) the instruments the first one's exporter reads.
/// </summary>
[CollectionDefinition(nameof(TelemetryCollection))]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryStack>;
