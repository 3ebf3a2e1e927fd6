using System.Diagnostics;

namespace ReactiveRest.Tests.Faults;

/// <summary>Reports how long recovery took, for docs/reliability.md (shown by running the tests with -diagnostics).</summary>
public sealed class Recovery
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>The time since this was created, reported under <paramref name="what"/>.</summary>
    public void Report(string what) =>
        TestContext.Current.SendDiagnosticMessage($"recovery: {what}: {_clock.Elapsed.TotalSeconds:F2} s");
}
