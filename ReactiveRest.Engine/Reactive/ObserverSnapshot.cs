namespace ReactiveRest.Engine.Reactive;

/// <summary>An observer as read before an evaluation.</summary>
public sealed record ObserverSnapshot(
    string ObserverId,
    string Url,
    IReadOnlyList<ObservedItem> Result,
    long Generation,
    long Done,
    string Incarnation,
    long Evaluations,
    IReadOnlyDictionary<string, string> Subscribers);
