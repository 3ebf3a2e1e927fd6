namespace ReactiveRest.Tests.Operations;

/// <summary>One console line of one resource (a replica is a resource of its own), as the dashboard shows it.</summary>
/// <param name="Resource">The resource's name (<c>observers</c> for every replica).</param>
/// <param name="ResourceId">The resource's id (one per replica).</param>
/// <param name="Time">When the orchestrator read the line, from its timestamp; when it reached the test where it has none.</param>
/// <param name="Text">The line without its timestamp and colours.</param>
/// <param name="IsError">Written to stderr.</param>
public sealed record ResourceLogLine(string Resource, string ResourceId, DateTimeOffset Time, string Text, bool IsError);
