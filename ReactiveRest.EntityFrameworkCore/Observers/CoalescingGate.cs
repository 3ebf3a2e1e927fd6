namespace ReactiveRest.Engine.Observers;

/// <summary>
/// Decides, per key, when work must run so that every trigger is followed by at least one complete run that starts
/// after it, while triggers that arrive during a run collapse into one more run: no lost final state, no pile-up,
/// and no fixed delay. Pure and thread-safe; the caller does the work.
/// </summary>
public sealed class CoalescingGate<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, bool> _running = [];

    /// <summary>Records a trigger. True when the caller must start a runner for the key (none is running).</summary>
    public bool Trigger(TKey key)
    {
        lock (_running)
        {
            if (_running.ContainsKey(key))
            {
                _running[key] = true;
                return false;
            }

            _running[key] = false;
            return true;
        }
    }

    /// <summary>
    /// Called by the runner after each run. True when a trigger arrived since the run started (run again); false when
    /// the runner may stop, after which the next trigger starts a new runner.
    /// </summary>
    public bool RunAgain(TKey key)
    {
        lock (_running)
        {
            if (_running.TryGetValue(key, out var triggered) && triggered)
            {
                _running[key] = false;
                return true;
            }

            _running.Remove(key);
            return false;
        }
    }

    public int Running
    {
        get
        {
            lock (_running)
            {
                return _running.Count;
            }
        }
    }
}
