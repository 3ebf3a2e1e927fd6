namespace ReactiveRest.Tests.Operations;

/// <summary>
/// One log record of a .NET service as its console formatter writes it: a <c>info: Category[EventId]</c> line and the
/// indented message lines under it.
/// </summary>
/// <param name="Level">trce, dbug, info, warn, fail or crit.</param>
public sealed record ConsoleLogEntry(string Resource, string ResourceId, DateTimeOffset Time, string Level, string Category, string Text)
{
    public bool IsWarningOrAbove => Level is "warn" or "fail" or "crit";

    public override string ToString() => $"[{ResourceId} {Time:HH:mm:ss.fff}] {Level}: {Category}\n{Text}";
}
