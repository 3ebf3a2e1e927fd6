using Xunit.Sdk;

namespace ReactiveRest.Tests.Faults;

/// <summary>The fault tests' waits can fail: a condition never met fails at its deadline, a fault within a span fails at once.</summary>
public sealed class EventuallySelfTests
{
    [Fact]
    public async Task A_condition_never_met_fails_at_its_deadline_instead_of_hanging()
    {
        var started = DateTimeOffset.UtcNow;
        var failed = await Assert.ThrowsAsync<FailException>(() => Eventually.HoldsAsync(() => Task.FromResult(false), TimeSpan.FromMilliseconds(300), "never"));
        Assert.Contains("never", failed.Message, StringComparison.Ordinal);
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_fault_within_the_span_fails_at_once_with_its_text()
    {
        var checks = 0;
        var started = DateTimeOffset.UtcNow;
        var failed = await Assert.ThrowsAsync<FailException>(() => Eventually.HoldsThroughoutAsync(
            () => Task.FromResult(++checks == 3 ? "the third check found it" : null), DateTimeOffset.UtcNow.AddSeconds(30), "held"));
        Assert.Contains("the third check found it", failed.Message, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(10), "It failed at the fault, not at the end of the span.");
    }

    [Fact]
    public async Task A_span_that_holds_is_checked_until_its_end_and_at_it()
    {
        var checks = new List<DateTimeOffset>();
        var until = DateTimeOffset.UtcNow.AddMilliseconds(700);
        await Eventually.HoldsThroughoutAsync(() =>
        {
            checks.Add(DateTimeOffset.UtcNow);
            return Task.FromResult<string?>(null);
        }, until, "held");
        Assert.True(checks.Count >= 3, $"{checks.Count} checks");
        Assert.True(checks[^1] >= until, "The last check ran at or after the span's end.");
    }
}
