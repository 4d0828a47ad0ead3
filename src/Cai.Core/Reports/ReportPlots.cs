using System.Text.Json.Nodes;
using Cai.Models.IO;
using ScottPlot;

namespace Cai.Core.Reports;

/// <summary>The report's PNG plots (ScottPlot).</summary>
public static class ReportPlots
{
    public static void TrainingLoss(string path, IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> metricsByStage)
    {
        var plot = new Plot();
        foreach (var (stage, rows) in metricsByStage)
        {
            var points = rows.Where(r => r["step"] is not null && r["loss"] is not null).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(r => (double)r["step"]!.GetValue<long>()).ToArray(),
                points.Select(r => r["loss"]!.GetValue<double>()).ToArray());
            line.LegendText = stage;
        }
        plot.Title("Training loss");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        Save(plot, path);
    }

    public static void Rates(string path, string title, IReadOnlyList<string> groups, IReadOnlyList<(string Series, double[] Values)> series)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < series.Count; s++)
            for (int g = 0; g < groups.Count; g++)
                bars.Add(new Bar { Position = g * (series.Count + 1) + s, Value = series[s].Values[g], FillColor = palette.GetColor(s) });
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            groups.Select((g, i) => new Tick(i * (series.Count + 1) + (series.Count - 1) / 2.0, g)).ToArray());
        for (int s = 0; s < series.Count; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Series, FillColor = palette.GetColor(s) });
        plot.Axes.SetLimitsY(0, 1);
        plot.Title(title);
        plot.YLabel("rate");
        plot.ShowLegend();
        Save(plot, path);
    }

    public static void ByRound(string path, string title, IReadOnlyList<RevisionRoundRates> series)
    {
        var plot = new Plot();
        foreach (var s in series)
        {
            var line = plot.Add.Scatter(Enumerable.Range(0, s.RateByRound.Count).Select(i => (double)i).ToArray(), s.RateByRound.ToArray());
            line.LegendText = $"{s.Stage}: {s.Label}";
        }
        plot.Title(title);
        plot.XLabel("revision round");
        plot.YLabel("rate");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend();
        Save(plot, path);
    }

    static void Save(Plot plot, string path)
    {
        byte[] png = plot.GetImageBytes(800, 450, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
