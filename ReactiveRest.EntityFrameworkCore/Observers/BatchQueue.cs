namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Groups work by key the way a DataLoader does, without any fixed delay: the first item of a key runs at once; items
/// that arrive while a batch of their key runs wait and then run together as the next batch; a batch never takes an
/// item after it started (so an item's work always begins after the item arrived). A full waiting batch starts at
/// once beside the running one, so no batch exceeds <see cref="MaxBatch"/>. Pure and thread-safe; the caller runs the
/// batches.
/// </summary>
public sealed class BatchQueue<TKey, TItem>(int maxBatch) where TKey : notnull
{
    private readonly Dictionary<TKey, Lane> _lanes = [];

    public int MaxBatch { get; } = maxBatch > 0 ? maxBatch : throw new ArgumentOutOfRangeException(nameof(maxBatch));

    /// <summary>Adds an item. A batch to start now (the caller runs it, then calls <see cref="Completed"/>), or null when the item waits.</summary>
    public IReadOnlyList<TItem>? Add(TKey key, TItem item)
    {
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(key, out var lane))
            {
                _lanes[key] = new Lane { Running = 1 };
                return [item];
            }

            lane.Waiting.Add(item);
            if (lane.Waiting.Count < MaxBatch)
            {
                return null;
            }

            lane.Running++;
            var full = lane.Waiting;
            lane.Waiting = [];
            return full;
        }
    }

    /// <summary>Called when a batch of the key finished: the next batch to run (everything that waited), or null.</summary>
    public IReadOnlyList<TItem>? Completed(TKey key)
    {
        lock (_lanes)
        {
            var lane = _lanes[key];
            if (lane.Waiting.Count > 0)
            {
                var next = lane.Waiting;
                lane.Waiting = [];
                return next;
            }

            if (--lane.Running == 0)
            {
                _lanes.Remove(key);
            }

            return null;
        }
    }

    /// <summary>Keys with a batch running.</summary>
    public int Keys
    {
        get
        {
            lock (_lanes)
            {
                return _lanes.Count;
            }
        }
    }

    private sealed class Lane
    {
        public int Running { get; set; }

        public List<TItem> Waiting { get; set; } = [];
    }
}
