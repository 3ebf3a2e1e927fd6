namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Decides which observers are evaluated alone instead of joining their shape's shared statement: one that held its
/// batch back (was slow or failed where the others were not) <see cref="Strikes"/> times within <see cref="Window"/>
/// gets its own lane, so it stops delaying the others; it goes back to batching after <see cref="Quiet"/> without a
/// strike (a strike while alone, a slow or failed run of its own, starts the quiet period again). Pure and
/// thread-safe: the caller measures and passes the time.
/// </summary>
public sealed class SoloLanes<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, Record> _records = [];
    private int _pruneAt = 64;

    public SoloLanes(int strikes, TimeSpan window, TimeSpan quiet)
    {
        Strikes = strikes > 0 ? strikes : throw new ArgumentOutOfRangeException(nameof(strikes));
        Window = window > TimeSpan.Zero ? window : throw new ArgumentOutOfRangeException(nameof(window));
        Quiet = quiet > TimeSpan.Zero ? quiet : throw new ArgumentOutOfRangeException(nameof(quiet));
    }

    public int Strikes { get; }

    public TimeSpan Window { get; }

    public TimeSpan Quiet { get; }

    /// <summary>True while the key has its own lane.</summary>
    public bool IsAlone(TKey key, DateTimeOffset now)
    {
        lock (_records)
        {
            if (!_records.TryGetValue(key, out var record))
            {
                return false;
            }

            if (Expired(record, now))
            {
                _records.Remove(key);
                return false;
            }

            return record.Alone;
        }
    }

    /// <summary>Records that the key held back its batch, or was slow or failed in its own lane. True when this strike gave it its own lane.</summary>
    public bool Strike(TKey key, DateTimeOffset now)
    {
        lock (_records)
        {
            Prune(now);
            if (!_records.TryGetValue(key, out var record) || Expired(record, now))
            {
                record = new Record();
                _records[key] = record;
            }

            record.Last = now;
            if (record.Alone)
            {
                return false;
            }

            while (record.Times.Count > 0 && now - record.Times.Peek() >= Window)
            {
                record.Times.Dequeue();
            }

            record.Times.Enqueue(now);
            if (record.Times.Count < Strikes)
            {
                return false;
            }

            record.Alone = true;
            record.Times.Clear();
            return true;
        }
    }

    /// <summary>Keys with their own lane now.</summary>
    public int Alone(DateTimeOffset now)
    {
        lock (_records)
        {
            return _records.Values.Count(record => record.Alone && !Expired(record, now));
        }
    }

    /// <summary>Keys remembered (with strikes or a lane); what <see cref="Strike"/> keeps bounded by forgetting old ones.</summary>
    public int Remembered
    {
        get
        {
            lock (_records)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>A lane whose quiet period passed, or strikes all older than the window, need not be remembered.</summary>
    private bool Expired(Record record, DateTimeOffset now) => now - record.Last >= (record.Alone ? Quiet : Window);

    /// <summary>Forgets expired keys once the count doubled since the last sweep: amortised O(1) per strike.</summary>
    private void Prune(DateTimeOffset now)
    {
        if (_records.Count < _pruneAt)
        {
            return;
        }

        foreach (var key in _records.Where(pair => Expired(pair.Value, now)).Select(pair => pair.Key).ToList())
        {
            _records.Remove(key);
        }

        _pruneAt = Math.Max(64, _records.Count * 2);
    }

    private sealed class Record
    {
        public Queue<DateTimeOffset> Times { get; } = new();

        public DateTimeOffset Last { get; set; }

        public bool Alone { get; set; }
    }
}
