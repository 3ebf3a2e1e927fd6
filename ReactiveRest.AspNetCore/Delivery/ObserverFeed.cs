using System.Text;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// A replica's copy of the tail of one observer's log, shared by every local subscriber of the observer: each message is
/// received once (from the feed channel), encoded once, and read by each subscriber at its own position. The window
/// is capped; before it is trimmed past a subscriber that fell behind (a slow reader), that subscriber's backlog is
/// replaced by one diff from the result at its position to the current result, so no cap ever yields a wrong list.
/// </summary>
internal sealed class ObserverFeed(string observerId, int maxWindow, ReactiveMetrics? metrics = null)
{
    private readonly object _sync = new();
    private readonly List<FeedMessage> _window = [];
    private readonly HashSet<Cursor> _followers = [];
    private readonly List<(FeedHeader Header, string[] Messages)> _buffered = [];
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ObservedList _base = new([]);
    private ObservedList _current = new([]);
    private long _windowStart;

    public string ObserverId { get; } = observerId;

    public string Incarnation { get; private set; } = "";

    /// <summary>Completes when the feed holds the observer's result; faults when the observer does not exist.</summary>
    public Task Loaded => _loaded.Task;

    public long Head
    {
        get
        {
            lock (_sync)
            {
                return _windowStart + _window.Count;
            }
        }
    }

    /// <summary>The seq of the oldest state this feed can rebuild: a cursor must start at or after it.</summary>
    public long WindowStart
    {
        get
        {
            lock (_sync)
            {
                return _windowStart;
            }
        }
    }

    public int FollowerCount
    {
        get
        {
            lock (_sync)
            {
                return _followers.Count;
            }
        }
    }

    /// <summary>The most messages one follower has waiting: its pending frames and the feed's messages after its position.</summary>
    public long LargestBacklog
    {
        get
        {
            lock (_sync)
            {
                var head = _windowStart + _window.Count;
                var largest = 0L;
                foreach (var cursor in _followers)
                {
                    largest = Math.Max(largest, head - cursor.Taken + cursor.Pending.Count);
                }

                return largest;
            }
        }
    }

    /// <summary>Starts the feed at the observer's stored result; messages published meanwhile were buffered and are applied now.</summary>
    public IReadOnlyList<Cursor> Load(ObserverHead head)
    {
        lock (_sync)
        {
            Incarnation = head.Incarnation;
            _base = new ObservedList(ObservedItem.ParseArray(head.ResultJson));
            _current = _base.Clone();
            _windowStart = head.Seq;
            foreach (var (header, messages) in _buffered)
            {
                if (header.Incarnation == Incarnation)
                {
                    AppendLocked(header, messages);
                }
            }

            _buffered.Clear();
        }

        _loaded.TrySetResult();
        return [];
    }

    public void Fail(Exception exception) => _loaded.TrySetException(exception);

    /// <summary>Appends published messages. Messages the feed already has are skipped.</summary>
    public AppendOutcome Append(FeedHeader header, string[] messages)
    {
        lock (_sync)
        {
            if (!_loaded.Task.IsCompletedSuccessfully)
            {
                _buffered.Add((header, messages));
                return AppendOutcome.Buffered;
            }

            if (header.Incarnation != Incarnation)
            {
                return AppendOutcome.Recreated;
            }

            var head = _windowStart + _window.Count;
            if (header.FirstSeq > head + 1)
            {
                return AppendOutcome.Gap(head, header.FirstSeq - 1);
            }

            if (DivergesLocked(header.FirstSeq, messages))
            {
                return AppendOutcome.Diverged;
            }

            AppendLocked(header, messages);
            return AppendOutcome.Appended([.. _followers]);
        }
    }

    /// <summary>
    /// Messages this feed already has must be the same ones: a different message under a seq already delivered means the
    /// log was rewound (Redis lost its last writes), and subscribers cannot be continued from what they were sent.
    /// </summary>
    private bool DivergesLocked(long firstSeq, string[] messages)
    {
        for (var i = 0; i < messages.Length; i++)
        {
            var seq = firstSeq + i;
            if (seq > _windowStart && seq <= _windowStart + _window.Count && _window[(int)(seq - _windowStart - 1)].Text != messages[i])
            {
                return true;
            }
        }

        return false;
    }

    private void AppendLocked(FeedHeader header, string[] messages)
    {
        var head = _windowStart + _window.Count;
        var trace = header.TraceParent is { } traceParent ? new PushTrace(traceParent) : null;
        for (var i = 0; i < messages.Length; i++)
        {
            var seq = header.FirstSeq + i;
            if (seq <= head)
            {
                continue;
            }

            if (seq != head + 1)
            {
                // A gap inside a batch cannot happen (a batch is contiguous); refuse rather than corrupt.
                return;
            }

            _window.Add(new FeedMessage(seq, messages[i], Encoding.UTF8.GetBytes(messages[i]), header.CapturedAtMs, trace));
            _current.Apply(messages[i]);
            head = seq;
        }

        if (_window.Count > maxWindow)
        {
            TrimLocked(_window.Count - maxWindow / 2);
        }
    }

    /// <summary>
    /// Drops the oldest messages. Followers whose position the trim passes get one resync run from their position's
    /// result to the current one, queued after what they were already given.
    /// </summary>
    private void TrimLocked(int count)
    {
        var newStart = _windowStart + count;
        var head = _windowStart + _window.Count;
        var state = _base.Clone();
        var applied = 0;
        foreach (var cursor in _followers.Where(cursor => cursor.Taken < newStart).OrderBy(cursor => cursor.Taken))
        {
            for (; _windowStart + applied < cursor.Taken; applied++)
            {
                state.Apply(_window[applied].Text);
            }

            QueueResync(cursor, ProtocolMessage.Resync(ObserverId, state.Items, _current.Items, head), head);

            // The run's last message carries the head's seq; an empty run means the list is already current.
            cursor.Taken = head;
            metrics?.Resynced();
        }

        for (var i = 0; i < count; i++)
        {
            _base.Apply(_window[i].Text);
        }

        _window.RemoveRange(0, count);
        _windowStart = newStart;
    }

    /// <summary>A resync run's messages are at no position until the last, which brings the list to <paramref name="head"/>.</summary>
    private static void QueueResync(Cursor cursor, IReadOnlyList<string> run, long head)
    {
        for (var i = 0; i < run.Count; i++)
        {
            cursor.Pending.Enqueue(new FeedMessage(i == run.Count - 1 ? head : -1, run[i], Encoding.UTF8.GetBytes(run[i]), 0, null));
        }
    }

    /// <summary>Follows from <paramref name="position"/>; false when the window no longer reaches back to it.</summary>
    public bool TryFollow(Cursor cursor, long position)
    {
        lock (_sync)
        {
            if (position < _windowStart)
            {
                return false;
            }

            cursor.Taken = position;
            _followers.Add(cursor);
            return true;
        }
    }

    /// <summary>
    /// Follows from <paramref name="position"/>, older than the window, given the log messages after it read from Redis
    /// (seq position+1 on); false when they do not reach the window.
    /// </summary>
    public bool TryFollowAfter(Cursor cursor, long position, IReadOnlyList<string> logMessages)
    {
        lock (_sync)
        {
            if (position + logMessages.Count < _windowStart)
            {
                return false;
            }

            for (var seq = position + 1; seq <= _windowStart; seq++)
            {
                var text = logMessages[(int)(seq - position - 1)];
                cursor.Pending.Enqueue(new FeedMessage(seq, text, Encoding.UTF8.GetBytes(text), 0, null));
            }

            cursor.Taken = _windowStart;
            _followers.Add(cursor);
            return true;
        }
    }

    /// <summary>Follows a subscriber whose position the logs no longer hold: one resync run from the result it had, then the feed.</summary>
    public void FollowWithResync(Cursor cursor, IReadOnlyList<ObservedItem> resultAtPosition)
    {
        lock (_sync)
        {
            var head = _windowStart + _window.Count;
            QueueResync(cursor, ProtocolMessage.Resync(ObserverId, resultAtPosition, _current.Items, head), head);

            cursor.Taken = head;
            _followers.Add(cursor);
            metrics?.Resynced();
        }
    }

    /// <summary>Hands the cursor's next frames to its session, in order: its pending frames, then the feed's messages after its position.</summary>
    /// <returns>True when more remain than <paramref name="max"/>.</returns>
    public bool Take(Cursor cursor, int max, List<Outgoing> into)
    {
        lock (_sync)
        {
            if (cursor.Closed)
            {
                return false;
            }

            var taken = 0;
            while (taken < max && cursor.Pending.TryDequeue(out var pending))
            {
                into.Add(new Outgoing(pending.Utf8, cursor, pending.Seq, pending.CapturedAtMs, pending.Trace));
                taken++;
            }

            var head = _windowStart + _window.Count;
            for (var seq = cursor.Taken + 1; seq <= head && taken < max; seq++, taken++)
            {
                var message = _window[(int)(seq - _windowStart - 1)];
                into.Add(new Outgoing(message.Utf8, cursor, message.Seq, message.CapturedAtMs, message.Trace));
                cursor.Taken = seq;
            }

            return cursor.Pending.Count > 0 || cursor.Taken < head;
        }
    }

    /// <summary>The result at <paramref name="seq"/>, or null when the window does not reach it.</summary>
    public IReadOnlyList<ObservedItem>? ResultAt(long seq)
    {
        lock (_sync)
        {
            if (seq < _windowStart || seq > _windowStart + _window.Count)
            {
                return null;
            }

            var state = _base.Clone();
            for (var i = 0; i < seq - _windowStart; i++)
            {
                state.Apply(_window[i].Text);
            }

            return state.Items;
        }
    }

    /// <returns>How many followers remain.</returns>
    public int Unfollow(Cursor cursor)
    {
        lock (_sync)
        {
            cursor.Closed = true;
            _followers.Remove(cursor);
            return _followers.Count;
        }
    }

    /// <summary>Every follower, for when the feed as a whole ends (its observer is gone).</summary>
    public IReadOnlyList<Cursor> Followers()
    {
        lock (_sync)
        {
            return [.. _followers];
        }
    }
}

/// <summary>What appending published messages to a feed found.</summary>
internal sealed record AppendOutcome(AppendStatus Status, IReadOnlyList<Cursor> Followers, long GapAfter, long GapUpTo)
{
    public static readonly AppendOutcome Buffered = new(AppendStatus.Buffered, [], 0, 0);
    public static readonly AppendOutcome Recreated = new(AppendStatus.Recreated, [], 0, 0);
    public static readonly AppendOutcome Diverged = new(AppendStatus.Diverged, [], 0, 0);

    public static AppendOutcome Gap(long after, long upTo) => new(AppendStatus.Gap, [], after, upTo);

    public static AppendOutcome Appended(IReadOnlyList<Cursor> followers) => new(AppendStatus.Appended, followers, 0, 0);
}

internal enum AppendStatus
{
    Appended,
    Buffered,
    Gap,
    Recreated,
    Diverged,
}
