namespace ReactiveRest.Engine.Protocol;

/// <summary>
/// What <c>GET /api/queryobserver/{observer}</c> answers: <c>changes</c> counted, <c>evaluated</c> up to,
/// <c>evaluations</c> run, and <c>seq</c>, the position of its last message.
/// </summary>
public sealed record ObserverStats(string Observer, string Url, int Subscribers, long Evaluations, long Changes, long Evaluated, long Seq);
