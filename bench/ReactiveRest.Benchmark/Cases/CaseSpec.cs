namespace ReactiveRest.Benchmark.Cases;

/// <summary>One case of the run, as planned.</summary>
internal abstract record CaseSpec(string Key, string Title);

/// <summary>A client that GETs the query every second, while the writes run: the baseline.</summary>
internal sealed record PollingSpec(string Key, string Title, int TasksPerBoard, int Writes, double WritesPerSecond, TimeSpan PollInterval) : CaseSpec(Key, Title);

/// <summary>
/// Subscribers spread over boards (one query each, <c>boardId=X&amp;ordering=position&amp;limit=50</c>), writes spread over
/// the boards; paced at <see cref="WritesPerSecond"/>, or a burst when it is 0. With <see cref="Users"/> above one, the
/// subscribers run as that many users, all members of every board: each user has an observer of its own per query,
/// so one write makes that many observers due at once (what batched evaluation is for).
/// </summary>
internal sealed record SubscriptionSpec(
    string Key, string Title, int Subscribers, int Boards, int TasksPerBoard, int Writes, double WritesPerSecond, int BurstConcurrency = 16, int Users = 1)
    : CaseSpec(Key, Title)
{
    public bool IsBurst => WritesPerSecond <= 0;
}

/// <summary>
/// Many observers that a write to the target board cannot affect (other boards, the same board with filters that match
/// no row, the whole table with such filters) and one that it does; which of them the writes evaluate.
/// </summary>
internal sealed record SelectivitySpec(string Key, string Title, int Others, int QueriesPerSubscriber, int TasksPerBoard, int Writes, double WritesPerSecond) : CaseSpec(Key, Title);

/// <summary>The stack with no client at all for a while: what it costs by itself.</summary>
internal sealed record IdleSpec(string Key, string Title, TimeSpan Duration) : CaseSpec(Key, Title);

/// <summary>
/// Issue 17's noisy neighbour, on a stack with the shipped per-user quotas: the case's user has
/// <see cref="VictimSubscribers"/> subscribers of one board's query and writes to it at <see cref="WritesPerSecond"/>,
/// first alone (quiet), then while another user holds every quota it can (<see cref="NoisyObservers"/> distinct queries
/// over <see cref="NoisySockets"/> subscriber ids, each with its WebSocket), sends a heartbeat on every socket each
/// <see cref="HeartbeatInterval"/>, reads its replies, and writes to its own <see cref="NoisyBoards"/> boards at
/// <see cref="NoisyWritesPerSecond"/> so that its observers stay due. <see cref="Probes"/> requests beyond each quota
/// show that it is enforced. <see cref="WarmWrites"/> writes before the quiet phase are not reported: a fresh stack
/// compiles its hot paths first (as the warm-up case does).
/// </summary>
internal sealed record NoisyNeighbourSpec(
    string Key, string Title, int VictimSubscribers, int Writes, double WritesPerSecond, int NoisyBoards, int NoisyObservers, int NoisySockets,
    double NoisyWritesPerSecond, double NoisyObservesPerSecond, TimeSpan HeartbeatInterval, int NoisyTitleLength = 300, int Probes = 5, int WarmWrites = 50)
    : CaseSpec(Key, Title)
{
    /// <summary>The key of the quiet phase's result (the noisy phase's is <see cref="CaseSpec.Key"/>).</summary>
    public string QuietKey => Key + "-quiet";
}
