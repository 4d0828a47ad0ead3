using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cai.Cli.Bench;

/// <summary>
/// The benchmark's output: one JSON object per line per measurement (to the console as it is taken, and to --output),
/// then readable tables. bench/reference_llama.py and bench/hf_bench.py write the same keys, so the three can be joined
/// on (measurement, model, device, dtype, batch or step).
/// </summary>
public sealed class BenchReport(TextWriter console, string? outputFile)
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly List<JsonObject> _lines = [];

    /// <summary>Prints <paramref name="line"/> as one JSON line and keeps it for the tables.</summary>
    public void Add(JsonObject line)
    {
        _lines.Add(line);
        string json = line.ToJsonString(Compact);
        console.WriteLine(json);
        if (outputFile is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputFile))!);
        File.AppendAllText(outputFile, json + "\n");
    }

    /// <summary>Markdown tables of the generation and training measurements.</summary>
    public void WriteTables()
    {
        var generation = _lines.Where(l => (string?)l["measurement"] == "generation").ToList();
        if (generation.Count > 0)
        {
            console.WriteLine();
            console.WriteLine("| model | device | dtype | batch | new tokens | tokens/s | MFU | time to first token ms | prefill ms | "
                + "decode forward ms/step | sampling ms/step | host sync ms/step | host reads/step |");
            console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var l in generation)
                console.WriteLine($"| {l["model"]} | {l["device"]} | {l["dtype"]} | {l["batch"]} | {l["new_tokens"]} | " +
                    $"{F(l, "tokens_per_second", 1)} | {Percent(l, "mfu")} | " +
                    $"{Milli(l, "time_to_first_token_seconds")} | {Milli(l, "prefill_seconds")} | {F(l, "decode_forward_ms_per_step", 2)} | " +
                    $"{F(l, "sampling_ms_per_step", 2)} | {F(l, "host_sync_ms_per_step", 2)} | {F(l, "host_reads_per_step", 2)} |");
        }
        var training = _lines.Where(l => (string?)l["measurement"] == "training").ToList();
        if (training.Count > 0)
        {
            console.WriteLine();
            console.WriteLine("| model | device | dtype | step | sequences x tokens | seconds/step | tokens/s | MFU | peak RSS MiB |");
            console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var l in training)
                console.WriteLine($"| {l["model"]} | {l["device"]} | {l["dtype"]} | {l["step"]} | {l["sequences"]} x {l["sequence_length"]} | " +
                    $"{F(l, "median_seconds", 3)} | {F(l, "tokens_per_second", 0)} | {Percent(l, "mfu")} | {F(l, "peak_rss_mib", 0)} |");
        }
    }

    private static string F(JsonObject line, string key, int digits) =>
        line[key] is JsonValue v && v.TryGetValue(out double d) ? d.ToString("F" + digits, CultureInfo.InvariantCulture) : "–";

    private static string Milli(JsonObject line, string key) =>
        line[key] is JsonValue v && v.TryGetValue(out double d) ? (1000 * d).ToString("F1", CultureInfo.InvariantCulture) : "–";

    private static string Percent(JsonObject line, string key) =>
        line[key] is JsonValue v && v.TryGetValue(out double d) ? (100 * d).ToString("F1", CultureInfo.InvariantCulture) + " %" : "–";
}
