using System.Globalization;
using System.Text.Json.Nodes;

namespace Cai.Models.Modeling;

/// <summary>
/// Rotary scaling from config.json: transformers 4's "rope_scaling" (type in "rope_type" or "type") or transformers
/// 5's "rope_parameters" (with "rope_type" and "rope_theta"). Supported types: linear (inv_freq / factor), dynamic
/// (NTK: the base grows with the sequence beyond max_position_embeddings) and llama3 (Llama 3.1's banded scaling). Any
/// other type (yarn, longrope, su, ...) is refused naming the key and the value. None of the three scales attention
/// (transformers' attention_factor is 1 for them). The frequencies are computed in <c>RotaryEmbedding.InverseFrequencies</c>.
/// </summary>
/// <param name="Type">"linear", "dynamic" or "llama3".</param>
/// <param name="Factor">"factor": how much longer a context the scaled model reads (at least 1).</param>
public sealed record RopeScaling(string Type, double Factor)
{
    /// <summary>Positions divided by the factor.</summary>
    public const string Linear = "linear";

    /// <summary>Dynamic NTK: the base grows once a sequence is longer than max_position_embeddings.</summary>
    public const string Dynamic = "dynamic";

    /// <summary>Llama 3.1: long wavelengths divided by the factor, short ones kept, the band between interpolated.</summary>
    public const string Llama3 = "llama3";

    /// <summary>llama3 "low_freq_factor": wavelengths above original_max_position_embeddings / this are fully scaled.</summary>
    public double LowFreqFactor { get; init; } = 1;

    /// <summary>llama3 "high_freq_factor": wavelengths below original_max_position_embeddings / this are kept (above low_freq_factor).</summary>
    public double HighFreqFactor { get; init; } = 4;

    /// <summary>llama3 "original_max_position_embeddings": the context length of pretraining (positive).</summary>
    public int OriginalMaxPositionEmbeddings { get; init; }

    /// <summary>
    /// The scaling a "rope_scaling" or "rope_parameters" object asks for: null for the default rotary embedding; a
    /// <see cref="ModelConfigException"/> for a type or option that is not implemented.
    /// </summary>
    internal static RopeScaling? Parse(JsonObject node, string source, string key)
    {
        ModelConfigException Refuse(string option, string problem) => new(source, $"{key}.{option}", problem);
        double Number(string option) => node[option] switch
        {
            JsonValue v when v.TryGetValue(out double d) => d,
            null => throw Refuse(option, "is missing."),
            _ => throw Refuse(option, "must be a number."),
        };

        string typeKey = node.ContainsKey("rope_type") ? "rope_type" : "type";
        string type = node[typeKey] is JsonValue t && t.TryGetValue(out string? s) ? s : node[typeKey] is null ? "default" : throw Refuse(typeKey, "must be a string.");
        if (node["partial_rotary_factor"] is JsonNode partial && Number("partial_rotary_factor") != 1.0)
            throw Refuse("partial_rotary_factor", $"{partial.ToJsonString()} is not supported (only 1: every dimension rotates).");
        if (type == "default") return null;
        if (type is not (Linear or Dynamic or Llama3))
            throw Refuse(typeKey, $"\"{type}\" is not supported (supported: default, linear, dynamic, llama3).");

        double factor = Number("factor");
        if (!(factor >= 1)) throw Refuse("factor", $"{factor.ToString(CultureInfo.InvariantCulture)} must be at least 1.");
        var scaling = new RopeScaling(type, factor);
        if (type != Llama3) return scaling;
        double low = Number("low_freq_factor"), high = Number("high_freq_factor");
        if (!(low > 0 && high > low)) throw Refuse("high_freq_factor", $"must be greater than low_freq_factor, which must be positive.");
        double original = Number("original_max_position_embeddings");
        if (!(original >= 1) || original != Math.Floor(original))
            throw Refuse("original_max_position_embeddings", "must be a positive integer.");
        return scaling with { LowFreqFactor = low, HighFreqFactor = high, OriginalMaxPositionEmbeddings = (int)original };
    }

    /// <summary>The "rope_scaling" object transformers 4 writes (transformers 5 reads it too).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["rope_type"] = Type, ["factor"] = Factor };
        if (Type != Llama3) return o;
        o["low_freq_factor"] = LowFreqFactor;
        o["high_freq_factor"] = HighFreqFactor;
        o["original_max_position_embeddings"] = OriginalMaxPositionEmbeddings;
        return o;
    }
}
