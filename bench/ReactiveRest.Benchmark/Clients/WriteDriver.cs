using System.Diagnostics;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>The write phase: PATCHes at a fixed rate (open loop: each starts on schedule, whether or not the previous answered), or a burst.</summary>
internal static class WriteDriver
{
    /// <param name="writes">Per write index, the task to patch and its new title.</param>
    public static async Task<WriteResult[]> PacedAsync(ApiClient api, IReadOnlyList<(int TaskId, string Title)> writes, double perSecond, CancellationToken cancellationToken)
    {
        var results = new WriteResult[writes.Count];
        var running = new List<Task>(writes.Count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < writes.Count; i++)
        {
            var due = start + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }

            var index = i;
            running.Add(Task.Run(async () => results[index] = await api.PatchTitleAsync(writes[index].TaskId, writes[index].Title, cancellationToken), cancellationToken));
        }

        await Task.WhenAll(running);
        return results;
    }

    /// <summary>As fast as the API answers, <paramref name="concurrency"/> PATCHes in flight, started in index order.</summary>
    public static async Task<WriteResult[]> BurstAsync(ApiClient api, IReadOnlyList<(int TaskId, string Title)> writes, int concurrency, CancellationToken cancellationToken)
    {
        var results = new WriteResult[writes.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, writes.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (index, token) =>
            results[index] = await api.PatchTitleAsync(writes[index].TaskId, writes[index].Title, token));
        return results;
    }
}
