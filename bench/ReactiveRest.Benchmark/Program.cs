using ReactiveRest.Benchmark;
using ReactiveRest.Benchmark.Reporting;

// Issue 7's benchmark: starts the stack on local processes, drives real WebSocket clients, prints a Markdown table and
// writes docs/benchmarks.md, .json and .svg. Usage: [--quick] [--only KEY,KEY] [--output DIR] [--commit SHA]. Exit code 1 when a case
// lost frames, timed out or met errors.
var options = BenchmarkOptions.Parse(args);
var plan = (options.Quick ? BenchmarkPlan.Small() : BenchmarkPlan.Full()).Only(options.Only);
using var cancellation = new CancellationTokenSource(options.Quick ? TimeSpan.FromMinutes(8) : TimeSpan.FromMinutes(45));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var report = await BenchmarkRunner.RunAsync(plan, options, Console.Error, cancellation.Token);
await ReportWriter.WriteAsync(report, options.OutputDirectory, Console.Out, Console.Error);
return report.Failed ? 1 : 0;
