using System.ComponentModel.DataAnnotations;

namespace ReactiveRest.Engine.Reactive;

/// <summary>Settings of the reactive layer, read from the <c>Reactive</c> section by the API and the observers alike.</summary>
public sealed class ReactiveOptions
{
    public const string SectionName = "Reactive";

    /// <summary>How long the subscriptions of a subscriber whose WebSocket closed survive, so a quick reconnect keeps them.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Larger incoming WebSocket messages close the connection with 1009 (message too big).</summary>
    [Range(64, 1 << 20)]
    public int MaxIncomingMessageBytes { get; set; } = 4096;

    /// <summary>
    /// Messages an observer's log keeps (in Redis, and in each replica's memory). A subscriber further behind gets one
    /// diff from what it was sent to the current result instead, never a gap.
    /// </summary>
    [Range(16, 1_000_000)]
    public int MaxLogMessages { get; set; } = 10_000;

    /// <summary>Results kept per observer at positions where disconnected subscribers stood, to collapse their backlog.</summary>
    [Range(1, 10_000)]
    public int MaxSnapshots { get; set; } = 64;

    /// <summary>How long an evaluation holds an observer without renewing its lock; a stalled evaluation loses it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan EvaluationLockTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An evaluation taking longer is cancelled and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan EvaluationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A statement shared by a batch of observers taking longer is cancelled and its members run again alone, so one
    /// slow member holds the others back by at most this much.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BatchStatementTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Evaluations one process runs at once; when they are all taken, each user waiting gets an equal share of them, so
    /// one user's heavy queries cannot hold all of them.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentEvaluations { get; set; } = 128;

    /// <summary>A replica whose liveness key is older than this is taken for dead and its subscribers start their grace period.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan ReplicaLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the periodic work runs: liveness, expiry, retries of observers left behind, polls due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan MaintenancePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A frame that cannot be sent within this time (the client stopped reading) closes the connection with 1008.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the observers ping each WebSocket: pings keep idle connections open through proxies, and the peer must
    /// answer each (a pong) within <see cref="KeepAliveTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A peer that has not answered a ping (with a pong, or any frame) within this time is taken for dead: its connection
    /// is dropped and its subscriptions enter the grace period, at most <see cref="KeepAliveInterval"/> plus this after
    /// it went silent.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a subscriber whose grace period ended is remembered, to tell a late connection that its observers are gone.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan TombstoneLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The key of observer ids: an id is an HMAC of the user and the query, so nobody can compute another user's. Every
    /// API replica must share it (the AppHost generates it as a secret parameter).
    /// </summary>
    [Required]
    [MinLength(32)]
    public string ObserverIdSecret { get; set; } = "";

    /// <summary>Observers one subscriber may subscribe to at once; one more is answered 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxObserversPerSubscriber { get; set; } = 1000;

    /// <summary>
    /// WebSockets one user may hold open, counted in Redis across every observers replica; one more is answered 429
    /// before the upgrade.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxSocketsPerUser { get; set; } = 100;

    /// <summary>Live observers one user may hold, over all their subscriber ids and every replica; one more is answered 429.</summary>
    [Range(1, 10_000_000)]
    public int MaxObserversPerUser { get; set; } = 1000;

    /// <summary>
    /// Subscriber ids one user may hold at once (from first use until their subscriptions end); a new one more is
    /// answered 429.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxSubscribersPerUser { get; set; } = 100;

    /// <summary>
    /// Bytes the results of one user's observers may store in Redis (each result is kept twice: current and the
    /// subscribers' starting snapshot); an observe GET that would store more is answered 429.
    /// </summary>
    [Range(1024L, long.MaxValue)]
    public long MaxStoredBytesPerUser { get; set; } = 64L * 1024 * 1024;

    /// <summary>Observe GETs (<c>observe=</c>) per user per second, with bursts of twice as many; more are answered 429.</summary>
    [Range(1, 1_000_000)]
    public int ObservesPerSecondPerUser { get; set; } = 100;

    /// <summary>Writes (POST, PUT, PATCH, DELETE) per user per second, with bursts of twice as many; more are answered 429.</summary>
    [Range(1, 1_000_000)]
    public int WritesPerSecondPerUser { get; set; } = 50;

    /// <summary>
    /// Observers each observers replica verifies per second at most (a fresh evaluation compared with the stored result,
    /// repaired with a resync run when they differ); 0 turns verification off. Each costs one query and two or three Redis reads.
    /// </summary>
    [Range(0.0, 10_000.0)]
    public double VerificationsPerSecond { get; set; } = 5;
}
