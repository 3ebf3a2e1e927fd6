using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Engine.WebSockets;

/// <summary>The WebSockets each user holds open on this replica, bounded by <see cref="ReactiveOptions.MaxSocketsPerUser"/>.</summary>
public sealed class SocketQuota(IOptions<ReactiveOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes one socket of the user's quota; null when the user holds the most already.</summary>
    public IDisposable? TryTake(string user)
    {
        var limit = options.Value.MaxSocketsPerUser;
        while (true)
        {
            var open = _open.GetValueOrDefault(user);
            if (open >= limit)
            {
                return null;
            }

            if (open == 0 ? _open.TryAdd(user, 1) : _open.TryUpdate(user, open + 1, open))
            {
                return new Lease(this, user);
            }
        }
    }

    private void Give(string user)
    {
        while (true)
        {
            var open = _open[user];
            // The last one removes the entry, so users who left cost nothing.
            if (open == 1 ? _open.TryRemove(new KeyValuePair<string, int>(user, 1)) : _open.TryUpdate(user, open - 1, open))
            {
                return;
            }
        }
    }

    private sealed class Lease(SocketQuota quota, string user) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                quota.Give(user);
            }
        }
    }
}
