using ScottPlot;
using ScottPlot.TickGenerators;
using ReactiveRest.Benchmark.Cases;

namespace ReactiveRest.Benchmark.Reporting;

/// <summary>p50 and p99 latency per case on a logarithmic axis, drawn by ScottPlot and saved as SVG.</summary>
internal static class LatencyChart
{
    public static void Write(RunReport report, string path)
    {
        var cases = report.Cases.Where(result => result.Latency is not null).ToList();
        var plot = new Plot();
        var positions = Enumerable.Range(0, cases.Count).Select(index => (double)index).ToArray();
        AddSeries(plot, cases, positions, result => result.Latency!.P50, "p50", Colors.SteelBlue, -0.12);
        AddSeries(plot, cases, positions, result => result.Latency!.P99, "p99", Colors.OrangeRed, 0.12);

        plot.Axes.Bottom.SetTicks(positions, [.. cases.Select(result => Label(result))]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        var ticks = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = value => Math.Pow(10, value).ToString(value < 0 ? "0.#" : "N0", System.Globalization.CultureInfo.InvariantCulture),
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.Left.Label.Text = "ms, log scale";
        plot.Axes.Bottom.Label.Text = "from the PATCH's answer to the frame's arrival (polling: to the poll showing it)";
        plot.Axes.SetLimitsX(-0.6, cases.Count - 0.4);
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.12);
        plot.Title($"ReactiveRest latency per case ({(report.Quick ? "quick run" : "full run")}, {report.Date:yyyy-MM-dd}, {report.Machine.Cores} cores)");
        plot.ShowLegend(Alignment.UpperCenter);
        plot.SaveSvg(path, 1000, 560);
    }

    private static void AddSeries(Plot plot, List<CaseResult> cases, double[] positions, Func<CaseResult, double?> value, string name, Color color, double offset)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < cases.Count; i++)
        {
            if (value(cases[i]) is { } ms)
            {
                xs.Add(positions[i] + offset);
                ys.Add(Math.Log10(Math.Max(ms, 0.1)));
            }
        }

        for (var i = 0; i < cases.Count; i++)
        {
            if (value(cases[i]) is null)
            {
                // The percentile falls among lost frames: no bar, a word.
                var text = plot.Add.Text("lost", positions[i] + offset, -0.9);
                text.LabelFontColor = color;
                text.LabelRotation = -90;
            }
        }

        var bars = plot.Add.Bars(xs.ToArray(), ys.ToArray());
        bars.Color = color;
        bars.LegendText = name;
        foreach (var bar in bars.Bars)
        {
            bar.Size = 0.22;
            bar.ValueBase = -1;
        }
    }

    private static string Label(CaseResult result) => result.Key;
}
