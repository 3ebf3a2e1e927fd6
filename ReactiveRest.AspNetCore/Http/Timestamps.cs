namespace ReactiveRest.Engine.Http;

public static class Timestamps
{
    /// <summary>
    /// Now, cut to PostgreSQL's microsecond precision, so that the value a write returns equals the one every later
    /// read (and every observer's diff) sees.
    /// </summary>
    public static DateTimeOffset UtcNowForDatabase(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
