namespace ReactiveRest.Client;

/// <summary>Exponential backoff with jitter, so that the clients of a restarted replica do not all return at once.</summary>
internal static class Backoff
{
    /// <summary>
    /// A delay in [d/2, d], where d = <paramref name="initial"/> × 2^<paramref name="attempt"/> capped at
    /// <paramref name="max"/>: half is kept so that a retry is never immediate, half is random to spread the herd.
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, Random random)
    {
        var exponent = Math.Min(Math.Max(attempt, 0), 30);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }
}
