using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>The architectures this library implements.</summary>
public enum ModelArchitecture
{
    /// <summary>LlamaForCausalLM and its relatives (Mistral, Qwen2, SmolLM, TinyLlama, Gemma, Phi-3).</summary>
    Llama,
    /// <summary>GPT2LMHeadModel.</summary>
    Gpt2,
}

/// <summary>
/// A Hugging Face config.json, parsed for the Llama family (model_type llama, mistral, qwen2, gemma, phi3) and GPT-2. Options that
/// change the computation but are not implemented (rope scaling other than linear, dynamic and llama3, an active
/// sliding window, other activations, ...) are refused with a <see cref="ModelConfigException"/> naming the file and
/// the key, never silently ignored.
/// Keys this class does not know are kept in <see cref="Extra"/> and written back by <see cref="ToJson"/>.
/// Dropout probabilities are accepted and not applied (the models have no dropout).
/// </summary>
/// <param name="ModelType">config.json "model_type": llama, mistral, qwen2, gemma, phi3 or gpt2.</param>
/// <param name="VocabSize">Rows of the embedding and of the LM head.</param>
/// <param name="HiddenSize">Width of the residual stream (GPT-2: n_embd).</param>
/// <param name="NumHiddenLayers">Decoder layers (GPT-2: n_layer).</param>
/// <param name="MaxPositionEmbeddings">Longest sequence (GPT-2: n_positions).</param>
public sealed record ModelConfig(string ModelType, int VocabSize, int HiddenSize, int NumHiddenLayers, int MaxPositionEmbeddings)
{
    /// <summary>The file name of a model config in a checkpoint directory.</summary>
    public const string FileName = "config.json";

    /// <summary>Largest accepted config.json.</summary>
    public const long MaxFileBytes = 16 << 20;

    /// <summary>Largest accepted hidden, intermediate or head size: beyond it a config is a mistake, not a model.</summary>
    public const int MaxDimension = 1 << 18;

    /// <summary>Largest accepted vocabulary.</summary>
    public const int MaxVocabulary = 1 << 24;

    /// <summary>Most accepted decoder layers.</summary>
    public const int MaxLayers = 1024;

    /// <summary>Longest accepted context.</summary>
    public const int MaxPositions = 1 << 24;

    /// <summary>Width of the MLP (GPT-2: n_inner, default 4 * n_embd).</summary>
    public int IntermediateSize { get; init; } = 4 * HiddenSize;

    /// <summary>Query heads (GPT-2: n_head).</summary>
    public int NumAttentionHeads { get; init; } = 1;

    /// <summary>Key/value heads; fewer than <see cref="NumAttentionHeads"/> is grouped-query attention.</summary>
    public int NumKeyValueHeads { get; init; } = 1;

    /// <summary>Width of one head (config "head_dim", default hidden / heads).</summary>
    public int HeadDim { get; init; } = HiddenSize;

    /// <summary>Epsilon of the norms: rms_norm_eps (Llama) or layer_norm_epsilon (GPT-2).</summary>
    public double NormEpsilon { get; init; } = 1e-6;

    /// <summary>Rotary base frequency (Llama family).</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Rotary scaling (config rope_scaling or rope_parameters); null for the default rotary embedding.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>
    /// The most positions a forward pass takes: max_position_embeddings, times the factor for linear and dynamic
    /// rotary scaling (whose max_position_embeddings is the pretraining length), at most <see cref="SlidingWindow"/>.
    /// </summary>
    public int ContextLength => Math.Min(SlidingWindow ?? int.MaxValue, RopeScaling is { Type: RopeScaling.Linear or RopeScaling.Dynamic } scaling
        ? (int)Math.Min(int.MaxValue, MaxPositionEmbeddings * scaling.Factor)
        : MaxPositionEmbeddings);

    /// <summary>Whether lm_head.weight is the embedding matrix itself.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Bias on q/k/v projections (Qwen2, or Llama attention_bias).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on the attention output projection (Llama attention_bias).</summary>
    public bool OutputProjectionBias { get; init; }

    /// <summary>Bias on the MLP projections (Llama mlp_bias).</summary>
    public bool MlpBias { get; init; }

    /// <summary>The MLP activation: "silu" (Llama), "gelu_pytorch_tanh" (Gemma) or "gelu_new" (GPT-2); both GELUs are the tanh approximation.</summary>
    public string HiddenAct { get; init; } = "silu";

    /// <summary>
    /// Phi-3's "sliding_window": keys further back than this are not attended to. Sequences are limited to it (see
    /// <see cref="ContextLength"/>), where sliding-window attention is full attention. Null for none.
    /// </summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Gemma: embeddings are multiplied by sqrt(hidden_size) and RMSNorm weights are offsets from 1 (x * (1 + weight)).</summary>
    public bool IsGemma => ModelType == "gemma";

    /// <summary>Phi-3: q/k/v and gate/up projections are fused into qkv_proj and gate_up_proj.</summary>
    public bool FusedProjections => ModelType == "phi3";

    /// <summary>Beginning-of-sequence token id, when the config names one.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>End-of-sequence token ids (config eos_token_id: one id or a list).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>Padding token id, when the config names one.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>config "torch_dtype" (or "dtype"): float32, float16 or bfloat16; null when absent.</summary>
    public string? TorchDtype { get; init; }

    /// <summary>Keys of the original config.json that this record does not model, written back unchanged.</summary>
    public JsonObject Extra { get; init; } = new();

    /// <summary>Which implementation runs this config.</summary>
    public ModelArchitecture Architecture => ModelType == "gpt2" ? ModelArchitecture.Gpt2 : ModelArchitecture.Llama;

    /// <summary>First eos id, or null.</summary>
    public int? EosTokenId => EosTokenIds.Count > 0 ? EosTokenIds[0] : null;

    /// <summary><see cref="TorchDtype"/> as a TorchSharp type (float32 when absent).</summary>
    public ScalarType ScalarType => TorchDtype switch
    {
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };

    /// <summary>The architectures string Hugging Face writes for this model type.</summary>
    public string ArchitectureName => ModelType switch
    {
        "gpt2" => "GPT2LMHeadModel",
        "mistral" => "MistralForCausalLM",
        "qwen2" => "Qwen2ForCausalLM",
        "gemma" => "GemmaForCausalLM",
        "phi3" => "Phi3ForCausalLM",
        _ => "LlamaForCausalLM",
    };

    /// <summary>A Llama config with Hugging Face's defaults for anything not given.</summary>
    public static ModelConfig Llama(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
        int? numKeyValueHeads = null, int maxPositionEmbeddings = 2048, bool tieWordEmbeddings = false, double ropeTheta = 10000.0,
        double rmsNormEps = 1e-6, string modelType = "llama") => Validate(new ModelConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, maxPositionEmbeddings)
        {
            IntermediateSize = intermediateSize,
            NumAttentionHeads = numAttentionHeads,
            NumKeyValueHeads = numKeyValueHeads ?? numAttentionHeads,
            HeadDim = hiddenSize / numAttentionHeads,
            NormEpsilon = rmsNormEps,
            RopeTheta = ropeTheta,
            TieWordEmbeddings = tieWordEmbeddings,
            QkvBias = modelType == "qwen2",
            HiddenAct = modelType == "gemma" ? "gelu_pytorch_tanh" : "silu",
        }, "(code)");

    /// <summary>A GPT-2 config with Hugging Face's defaults for anything not given.</summary>
    public static ModelConfig Gpt2(int vocabSize, int nEmbd, int nLayer, int nHead, int nPositions = 1024, int? nInner = null,
        double layerNormEpsilon = 1e-5) => Validate(new ModelConfig("gpt2", vocabSize, nEmbd, nLayer, nPositions)
        {
            IntermediateSize = nInner ?? 4 * nEmbd,
            NumAttentionHeads = nHead,
            NumKeyValueHeads = nHead,
            HeadDim = nEmbd / nHead,
            NormEpsilon = layerNormEpsilon,
            TieWordEmbeddings = true,
            HiddenAct = "gelu_new",
        }, "(code)");

    /// <summary>Reads config.json from a checkpoint directory (or the file itself).</summary>
    public static ModelConfig Load(string directoryOrFile)
    {
        string file = Directory.Exists(directoryOrFile) ? Path.Combine(directoryOrFile, FileName) : directoryOrFile;
        if (!File.Exists(file)) throw new FileNotFoundException($"No {FileName} at {file}.", file);
        JsonNode? node;
        try { node = JsonNode.Parse(Cai.Abstractions.Input.InputFile.ReadAllBytes(file, MaxFileBytes)); }
        catch (JsonException e) { throw new ModelConfigException(file, null, $"is not valid JSON: {e.Message}", e); }
        if (node is not JsonObject obj) throw new ModelConfigException(file, null, "must hold a JSON object.");
        return Parse(obj, file);
    }

    /// <summary>Parses a config.json object; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(JsonObject json, string source = FileName)
    {
        var r = new Reader((JsonObject)json.DeepClone(), source);
        string modelType = r.String("model_type") ?? throw new ModelConfigException(source, "model_type", "is missing.");
        ModelConfig config;
        try
        {
            config = modelType switch
            {
                "llama" or "mistral" or "qwen2" or "gemma" or "phi3" => ParseLlama(r, modelType),
                "gpt2" => ParseGpt2(r),
                "gemma2" => throw new ModelConfigException(source, "model_type",
                    "\"gemma2\" is not supported: Gemma 2's attention and final logit soft-capping, alternating sliding-window layers "
                    + "and extra feed-forward norms are not implemented (Gemma is)."),
                _ => throw new ModelConfigException(source, "model_type",
                    $"\"{modelType}\" is not supported (supported: llama, mistral, qwen2, gemma, phi3, gpt2)."),
            };
        }
        catch (InvalidOperationException e) // a nested value of the wrong JSON type
        {
            throw new ModelConfigException(source, null, $"has a value of the wrong type ({e.Message}).");
        }
        if (r.Missing.Count > 0)
            throw new ModelConfigException(source, r.Missing[0],
                $"is missing (required{(r.Missing.Count > 1 ? $", as are {string.Join(", ", r.Missing.Skip(1))}" : "")}).");
        r.Take("architectures");
        return Validate(config with { Extra = r.Rest }, source);
    }

    private static ModelConfig ParseLlama(Reader r, string modelType)
    {
        int hidden = r.Required("hidden_size");
        int heads = r.Required("num_attention_heads");
        int kvHeads = r.Int("num_key_value_heads") ?? heads;
        int maxPos = r.Int("max_position_embeddings") ?? modelType switch { "llama" => 2048, "phi3" => 4096, "gemma" => 8192, _ => 32768 };
        string act;
        if (modelType == "gemma")
        {
            // transformers reads Gemma's activation from hidden_activation (tanh GELU when absent), never hidden_act.
            r.Take("hidden_act");
            act = r.String("hidden_activation") ?? "gelu_pytorch_tanh";
            if (act is not ("gelu_pytorch_tanh" or "gelu_new"))
                throw r.Refuse("hidden_activation", $"\"{act}\" is not supported (only gelu_pytorch_tanh).");
            foreach (string key in new[] { "attn_logit_softcapping", "final_logit_softcapping", "query_pre_attn_scalar" })
                if (r.Take(key) is JsonNode value)
                    throw r.Refuse(key, $"{value.ToJsonString()} is not supported (a Gemma 2 option).");
        }
        else
        {
            act = r.String("hidden_act") ?? "silu";
            if (act != "silu") throw r.Refuse("hidden_act", $"\"{act}\" is not supported (only silu).");
        }

        double ropeTheta = r.Double("rope_theta") ?? 10000.0;
        var ropeScaling = r.Take("rope_scaling") switch
        {
            null => null,
            JsonObject legacy => RopeScaling.Parse(legacy, r.Source, "rope_scaling"),
            _ => throw r.Refuse("rope_scaling", "must be an object or null."),
        };
        switch (r.Take("rope_parameters"))
        {
            case null: break;
            case JsonObject rope:
                ropeScaling = RopeScaling.Parse(rope, r.Source, "rope_parameters") ?? ropeScaling;
                if (rope["rope_theta"] is JsonValue theta)
                    ropeTheta = theta.TryGetValue(out double value) ? value : throw r.Refuse("rope_parameters.rope_theta",
                        "must be a number.");
                break;
            default: throw r.Refuse("rope_parameters", "must be an object or null.");
        }
        if (r.Double("partial_rotary_factor") is double partial && partial != 1.0)
            throw r.Refuse("partial_rotary_factor", $"{partial.ToString(CultureInfo.InvariantCulture)} is not supported (only 1: every dimension rotates).");

        // Sliding-window attention only differs from full attention past the window: refuse it when it can matter.
        // Phi-3 (whose 4k models have a window of 2047) is limited to sequences within its window instead.
        var window = r.Int("sliding_window");
        bool useWindow = modelType is "mistral" or "phi3" ? window is not null : (r.Bool("use_sliding_window") ?? false);
        if (modelType == "qwen2") r.Take("max_window_layers");
        if (modelType != "phi3" && useWindow && window is int w && w < maxPos)
            throw r.Refuse("sliding_window", $"{w} is smaller than max_position_embeddings {maxPos}: sliding-window attention is not supported.");
        if (window is < 1) throw r.Refuse("sliding_window", "must be positive.");

        int pretrainingTp = r.Int("pretraining_tp") ?? 1;
        if (pretrainingTp < 1) throw r.Refuse("pretraining_tp", "must be at least 1.");
        bool attentionBias = r.Bool("attention_bias") ?? false;
        bool mlpBias = r.Bool("mlp_bias") ?? false;
        r.Take("attention_dropout");
        r.Take("initializer_range");
        r.Take("use_cache");

        return new ModelConfig(modelType, r.Required("vocab_size"), hidden, r.Required("num_hidden_layers"), maxPos)
        {
            IntermediateSize = r.Required("intermediate_size"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = r.Int("head_dim") ?? hidden / Math.Max(1, heads),
            NormEpsilon = r.Double("rms_norm_eps") ?? 1e-6,
            RopeTheta = ropeTheta,
            RopeScaling = ropeScaling,
            TieWordEmbeddings = r.Bool("tie_word_embeddings") ?? modelType == "gemma",
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputProjectionBias = modelType != "qwen2" && attentionBias,
            MlpBias = mlpBias,
            HiddenAct = act,
            SlidingWindow = modelType == "phi3" ? window : null,
            BosTokenId = r.Int("bos_token_id"),
            EosTokenIds = r.IntList("eos_token_id"),
            PadTokenId = r.Int("pad_token_id"),
            TorchDtype = r.Dtype(),
        };
    }

    private static ModelConfig ParseGpt2(Reader r)
    {
        int nEmbd = r.Required("n_embd");
        int nHead = r.Required("n_head");
        string act = r.String("activation_function") ?? "gelu_new";
        if (act is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw r.Refuse("activation_function", $"\"{act}\" is not supported (only gelu_new, the tanh approximation).");
        if (r.Bool("scale_attn_weights") == false) throw r.Refuse("scale_attn_weights", "false is not supported.");
        if (r.Bool("scale_attn_by_inverse_layer_idx") == true) throw r.Refuse("scale_attn_by_inverse_layer_idx", "true is not supported.");
        if (r.Bool("add_cross_attention") == true) throw r.Refuse("add_cross_attention", "true is not supported (decoder-only).");
        r.Take("reorder_and_upcast_attn"); // numerics only
        foreach (var key in new[] { "resid_pdrop", "embd_pdrop", "attn_pdrop", "initializer_range", "use_cache", "n_ctx",
                     "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels", "summary_first_dropout",
                     "task_specific_params" })
            r.Take(key);
        int vocab = r.Required("vocab_size");
        int? endOfText = vocab > 50256 ? 50256 : null; // Hugging Face's default, where the vocabulary has it
        return new ModelConfig("gpt2", vocab, nEmbd, r.Required("n_layer"), r.Int("n_positions") ?? 1024)
        {
            IntermediateSize = r.Int("n_inner") ?? 4 * nEmbd,
            NumAttentionHeads = nHead,
            NumKeyValueHeads = nHead,
            HeadDim = nEmbd / Math.Max(1, nHead),
            NormEpsilon = r.Double("layer_norm_epsilon") ?? 1e-5,
            TieWordEmbeddings = r.Bool("tie_word_embeddings") ?? true,
            HiddenAct = "gelu_new",
            BosTokenId = r.Int("bos_token_id") ?? endOfText,
            EosTokenIds = r.IntList("eos_token_id") is { Count: > 0 } eos ? eos : endOfText is int id ? [id] : [],
            PadTokenId = r.Int("pad_token_id"),
            TorchDtype = r.Dtype(),
        };
    }

    private static ModelConfig Validate(ModelConfig c, string source)
    {
        void Positive(int value, string key, int max = MaxDimension)
        {
            if (value <= 0) throw new ModelConfigException(source, key, $"must be positive, not {value}.");
            if (value > max) throw new ModelConfigException(source, key, $"is {value}, more than this library accepts ({max}).");
        }
        void TokenId(int? id, string key)
        {
            if (id is int value && (value < 0 || value >= c.VocabSize))
                throw new ModelConfigException(source, key, $"{value} is not a token id (vocab_size is {c.VocabSize}).");
        }
        Positive(c.VocabSize, "vocab_size", MaxVocabulary);
        Positive(c.HiddenSize, c.Architecture == ModelArchitecture.Gpt2 ? "n_embd" : "hidden_size");
        Positive(c.NumHiddenLayers, c.Architecture == ModelArchitecture.Gpt2 ? "n_layer" : "num_hidden_layers", MaxLayers);
        Positive(c.NumAttentionHeads, c.Architecture == ModelArchitecture.Gpt2 ? "n_head" : "num_attention_heads");
        Positive(c.NumKeyValueHeads, "num_key_value_heads");
        Positive(c.IntermediateSize, c.Architecture == ModelArchitecture.Gpt2 ? "n_inner" : "intermediate_size");
        Positive(c.MaxPositionEmbeddings, c.Architecture == ModelArchitecture.Gpt2 ? "n_positions" : "max_position_embeddings",
            MaxPositions);
        if (c.NumAttentionHeads > c.HiddenSize)
            throw new ModelConfigException(source, c.Architecture == ModelArchitecture.Gpt2 ? "n_head" : "num_attention_heads",
                $"{c.NumAttentionHeads} is more than the hidden size {c.HiddenSize}.");
        if (!(c.NormEpsilon > 0 && c.NormEpsilon < 1))
            throw new ModelConfigException(source, c.Architecture == ModelArchitecture.Gpt2 ? "layer_norm_epsilon" : "rms_norm_eps",
                $"{c.NormEpsilon} must be in (0, 1).");
        if (!(c.RopeTheta > 0 && double.IsFinite(c.RopeTheta)))
            throw new ModelConfigException(source, "rope_theta", $"{c.RopeTheta} must be a positive number.");
        TokenId(c.BosTokenId, "bos_token_id");
        TokenId(c.PadTokenId, "pad_token_id");
        foreach (int eos in c.EosTokenIds) TokenId(eos, "eos_token_id");
        if (c.NumAttentionHeads % c.NumKeyValueHeads != 0)
            throw new ModelConfigException(source, "num_key_value_heads",
                $"{c.NumKeyValueHeads} must divide num_attention_heads {c.NumAttentionHeads}.");
        if (c.Architecture == ModelArchitecture.Gpt2 && c.HiddenSize % c.NumAttentionHeads != 0)
            throw new ModelConfigException(source, "n_head", $"{c.NumAttentionHeads} must divide n_embd {c.HiddenSize}.");
        if (c.HeadDim <= 0 || c.HeadDim % 2 != 0)
            throw new ModelConfigException(source, "head_dim", $"{c.HeadDim} must be positive and even (rotary embeddings rotate pairs).");
        return c;
    }

    /// <summary>config.json text in Hugging Face's layout, with the keys of <see cref="Extra"/> kept.</summary>
    public string ToJson()
    {
        var o = new JsonObject { ["architectures"] = new JsonArray(ArchitectureName), ["model_type"] = ModelType };
        JsonNode? Eos() => EosTokenIds.Count switch
        {
            0 => null,
            1 => EosTokenIds[0],
            _ => new JsonArray(EosTokenIds.Select(id => (JsonNode?)id).ToArray()),
        };
        if (Architecture == ModelArchitecture.Gpt2)
        {
            o["vocab_size"] = VocabSize;
            o["n_embd"] = HiddenSize;
            o["n_layer"] = NumHiddenLayers;
            o["n_head"] = NumAttentionHeads;
            o["n_positions"] = MaxPositionEmbeddings;
            o["n_inner"] = IntermediateSize;
            o["activation_function"] = HiddenAct;
            o["layer_norm_epsilon"] = NormEpsilon;
        }
        else
        {
            o["vocab_size"] = VocabSize;
            o["hidden_size"] = HiddenSize;
            o["intermediate_size"] = IntermediateSize;
            o["num_hidden_layers"] = NumHiddenLayers;
            o["num_attention_heads"] = NumAttentionHeads;
            o["num_key_value_heads"] = NumKeyValueHeads;
            o["head_dim"] = HeadDim;
            o["max_position_embeddings"] = MaxPositionEmbeddings;
            o["hidden_act"] = HiddenAct;
            if (IsGemma) o["hidden_activation"] = HiddenAct;
            if (SlidingWindow is int window) o["sliding_window"] = window;
            o["rms_norm_eps"] = NormEpsilon;
            o["rope_theta"] = RopeTheta;
            o["rope_scaling"] = RopeScaling?.ToJson();
            if (ModelType != "qwen2") o["attention_bias"] = QkvBias;
            o["mlp_bias"] = MlpBias;
        }
        o["tie_word_embeddings"] = TieWordEmbeddings;
        if (BosTokenId is int bos) o["bos_token_id"] = bos;
        if (Eos() is JsonNode eos) o["eos_token_id"] = eos;
        if (PadTokenId is int pad) o["pad_token_id"] = pad;
        o["torch_dtype"] = TorchDtype ?? "float32";
        foreach (var (key, value) in Extra)
            if (!o.ContainsKey(key)) o[key] = value?.DeepClone();
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>A copy whose torch_dtype names <paramref name="dtype"/>.</summary>
    public ModelConfig WithDtype(ScalarType dtype) => this with
    {
        TorchDtype = dtype switch
        {
            ScalarType.Float16 => "float16",
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Float32 => "float32",
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Checkpoints are float32, float16 or bfloat16."),
        },
    };

    /// <summary>Reads keys off a config object; what is left afterwards is <see cref="Extra"/>.</summary>
    private sealed class Reader(JsonObject json, string source)
    {
        public JsonObject Rest => json;

        public string Source => source;

        public JsonNode? Take(string key)
        {
            if (!json.TryGetPropertyValue(key, out var value)) return null;
            json.Remove(key);
            return value;
        }

        public ModelConfigException Refuse(string key, string message) => new(source, key, message);

        /// <summary>Required keys that are absent, reported after the refusals (which say more).</summary>
        public List<string> Missing { get; } = [];

        public int Required(string key)
        {
            if (Int(key) is int value) return value;
            Missing.Add(key);
            return 2;
        }

        public string? String(string key) => Take(key) switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => throw Refuse(key, "must be a string."),
        };

        public int? Int(string key) => Take(key) switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out int i) => i,
            JsonValue v when v.TryGetValue(out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
            _ => throw Refuse(key, "must be an integer."),
        };

        public double? Double(string key) => Take(key) switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out double d) => d,
            JsonValue v when v.TryGetValue(out string? s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) => p,
            _ => throw Refuse(key, "must be a number."),
        };

        public bool? Bool(string key) => Take(key) switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out bool b) => b,
            _ => throw Refuse(key, "must be true or false."),
        };

        public IReadOnlyList<int> IntList(string key) => Take(key) switch
        {
            null => [],
            JsonValue v when v.TryGetValue(out int i) => [i],
            JsonArray a => a.Select(n => n is JsonValue e && e.TryGetValue(out int x) ? x : throw Refuse(key, "must hold integers.")).ToArray(),
            _ => throw Refuse(key, "must be an integer or a list of integers."),
        };

        public string? Dtype()
        {
            string? dtype = String("torch_dtype");
            string? alt = String("dtype");
            dtype ??= alt;
            if (dtype is null or "float32" or "float16" or "bfloat16") return dtype;
            throw Refuse("torch_dtype", $"\"{dtype}\" is not supported (float32, float16, bfloat16).");
        }
    }
}

/// <summary>A config.json that cannot be parsed or asks for something this library does not implement.</summary>
public sealed class ModelConfigException(string file, string? key, string problem, Exception? innerException = null)
    : FormatException(key is null ? $"{file}: {problem}" : $"{file}: \"{key}\" {problem}", innerException)
{
    /// <summary>The config file (or source) at fault.</summary>
    public string File { get; } = file;

    /// <summary>The offending key, when one is at fault.</summary>
    public string? Key { get; } = key;
}
