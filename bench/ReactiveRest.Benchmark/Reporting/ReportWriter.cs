namespace ReactiveRest.Benchmark.Reporting;

/// <summary>Writes benchmarks.md, benchmarks.json and benchmarks.svg, and prints the tables.</summary>
internal static class ReportWriter
{
    private const string ChartFile = "benchmarks.svg";

    public static async Task WriteAsync(RunReport report, string directory, TextWriter output, TextWriter log)
    {
        Directory.CreateDirectory(directory);
        try
        {
            LatencyChart.Write(report, Path.Combine(directory, ChartFile));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            log.WriteLine($"The chart could not be drawn: {exception}");
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "benchmarks.md"), MarkdownReport.Render(report, ChartFile));
        await JsonReport.WriteAsync(report, Path.Combine(directory, "benchmarks.json"));

        if (!report.Quick)
        {
            await output.WriteLineAsync("## Goals (issue 7)\n");
            await output.WriteLineAsync(MarkdownReport.GoalTable(report.Goals));
        }

        await output.WriteLineAsync("## Results\n");
        await output.WriteLineAsync(MarkdownReport.ResultTable(report.Cases));
        foreach (var result in report.Cases.Where(result => result.Problems.Count > 0))
        {
            foreach (var problem in result.Problems)
            {
                await output.WriteLineAsync($"- PROBLEM in {result.Key}: {problem}");
            }
        }

        await log.WriteLineAsync($"Wrote benchmarks.md, benchmarks.json and {ChartFile} to {directory}");
        if (report.Failed)
        {
            await log.WriteLineAsync("FAILED: a case lost frames, timed out, or met errors (see PROBLEM lines).");
        }
    }
}
