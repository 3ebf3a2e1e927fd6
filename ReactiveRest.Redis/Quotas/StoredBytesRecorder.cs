using System.Collections.Concurrent;

namespace ReactiveRest.Engine.Quotas;

/// <summary>
/// Keeps the stored-bytes quota true as results grow or shrink with writes: an evaluation records its observer's new
/// size when it moved by an eighth or more since this process last recorded it, so most evaluations cost nothing
/// more. An evaluation is never refused (its messages are owed to subscribers); the next observe GET is.
/// </summary>
public sealed class StoredBytesRecorder(UserQuotas quotas)
{
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<string, int> _recorded = new(StringComparer.Ordinal);

    public async Task RecordAsync(string user, string observerId, string resultJson)
    {
        var length = resultJson.Length;
        if (_recorded.TryGetValue(observerId, out var last) && Math.Abs(length - last) < Math.Max(1024, last / 8))
        {
            return;
        }

        await quotas.StoreAsync(user, observerId, resultJson, refuse: false);
        if (_recorded.Count > MaxRemembered)
        {
            // Dropped observers are not told here: start afresh rather than grow (each then records once more).
            _recorded.Clear();
        }

        _recorded[observerId] = length;
    }
}
