namespace ReactiveRest.Client;

/// <summary>
/// One observer this client is subscribed to, shared by every enumeration of the same query (the server gives the
/// same query, however spelled, the same observer, and this subscriber one subscription to it).
/// </summary>
internal sealed class ObservedQuery(string observer, string path)
{
    public string Observer { get; } = observer;

    /// <summary>The path of the GET that created it, for observing again.</summary>
    public string Path { get; } = path;

    public ObservedList List { get; } = new();

    public List<SnapshotSink> Sinks { get; } = [];

    /// <summary>A fresh GET is under way: do not start another.</summary>
    public bool Reobserving { get; set; }

    public void Publish()
    {
        IReadOnlyList<System.Text.Json.JsonElement> snapshot = [.. List.Items];
        foreach (var sink in Sinks)
        {
            sink.Publish(snapshot);
        }
    }
}
