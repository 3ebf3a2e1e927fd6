namespace ReactiveRest.Tests.Faults;

public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the deadline.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout}: {what}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// For a claim that is about real time ("still subscribed a grace period after the outage"): checks
    /// <paramref name="check"/> over and over until <paramref name="until"/>, a moment measured from an event the test
    /// saw, and fails at the first check that finds a fault (its text), rather than sleeping through the span and
    /// looking once at its end. The last check runs at or after <paramref name="until"/>.
    /// </summary>
    public static async Task HoldsThroughoutAsync(Func<Task<string?>> check, DateTimeOffset until, string what)
    {
        while (true)
        {
            var last = DateTimeOffset.UtcNow >= until;
            if (await check() is { } fault)
            {
                Assert.Fail($"{what}: {fault} (with {Math.Max(0, (until - DateTimeOffset.UtcNow).TotalSeconds):F1} s of the span left)");
            }

            if (last)
            {
                return;
            }

            var left = until - DateTimeOffset.UtcNow;
            await Task.Delay(left < TimeSpan.FromMilliseconds(250) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }
    }
}
