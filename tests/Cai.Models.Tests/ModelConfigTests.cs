using System.Text.Json.Nodes;
using Cai.Models.Modeling;

namespace Cai.Models.Tests;

public class ModelConfigTests
{
    private static ModelConfig Parse(string json) => ModelConfig.Parse(JsonNode.Parse(json)!.AsObject(), "config.json");

    [Fact]
    public void ParsesLlamaConfig()
    {
        var c = Parse("""
            {"architectures":["LlamaForCausalLM"],"model_type":"llama","vocab_size":49152,"hidden_size":576,"intermediate_size":1536,
             "num_hidden_layers":30,"num_attention_heads":9,"num_key_value_heads":3,"max_position_embeddings":2048,"rms_norm_eps":1e-5,
             "rope_theta":10000.0,"rope_scaling":null,"tie_word_embeddings":true,"bos_token_id":0,"eos_token_id":0,"torch_dtype":"bfloat16",
             "hidden_act":"silu","attention_bias":false,"initializer_range":0.02,"transformers_version":"4.40.0","use_cache":true}
            """);
        Assert.Equal(ModelArchitecture.Llama, c.Architecture);
        Assert.Equal((49152, 576, 1536, 30, 9, 3, 64), (c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.Equal(1e-5, c.NormEpsilon);
        Assert.True(c.TieWordEmbeddings);
        Assert.False(c.QkvBias);
        Assert.Equal([0], c.EosTokenIds);
        Assert.Equal("bfloat16", c.TorchDtype);
        Assert.Equal("4.40.0", c.Extra["transformers_version"]!.GetValue<string>());
    }

    [Fact]
    public void Qwen2HasQkvBiasAndEosList()
    {
        var c = Parse("""{"model_type":"qwen2","vocab_size":100,"hidden_size":16,"intermediate_size":32,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"use_sliding_window":false,"sliding_window":4096,"max_window_layers":21,"max_position_embeddings":32768,"eos_token_id":[5,6]}""");
        Assert.True(c.QkvBias);
        Assert.False(c.OutputProjectionBias);
        Assert.Equal([5, 6], c.EosTokenIds);
    }

    [Fact]
    public void ParsesGpt2Config()
    {
        var c = Parse("""{"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12,"n_positions":1024,"n_ctx":1024,"layer_norm_epsilon":1e-5,"activation_function":"gelu_new","resid_pdrop":0.1,"embd_pdrop":0.1,"attn_pdrop":0.1,"bos_token_id":50256,"eos_token_id":50256}""");
        Assert.Equal(ModelArchitecture.Gpt2, c.Architecture);
        Assert.Equal((768, 12, 12, 1024, 3072, 64), (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.MaxPositionEmbeddings, c.IntermediateSize, c.HeadDim));
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal("gelu_new", c.HiddenAct);
    }

    [Theory]
    [InlineData("""{"model_type":"falcon"}""", "model_type")]
    [InlineData("""{"model_type":"llama","rope_scaling":{"rope_type":"yarn","factor":4.0}}""", "rope_scaling.rope_type")]
    [InlineData("""{"model_type":"llama","rope_scaling":{"type":"su","short_factor":[1.0],"long_factor":[2.0]}}""", "rope_scaling.type")]
    [InlineData("""{"model_type":"llama","rope_parameters":{"rope_type":"longrope","rope_theta":10000.0}}""", "rope_parameters.rope_type")]
    [InlineData("""{"model_type":"llama","rope_scaling":{"rope_type":"linear"}}""", "rope_scaling.factor")]
    [InlineData("""{"model_type":"llama","rope_scaling":{"rope_type":"dynamic","factor":0.5}}""", "rope_scaling.factor")]
    [InlineData("""{"model_type":"llama","rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0}}""", "rope_scaling.original_max_position_embeddings")]
    [InlineData("""{"model_type":"llama","rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":4.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}""", "rope_scaling.high_freq_factor")]
    [InlineData("""{"model_type":"llama","partial_rotary_factor":0.5}""", "partial_rotary_factor")]
    [InlineData("""{"model_type":"gemma2","attn_logit_softcapping":50.0}""", "model_type")]
    [InlineData("""{"model_type":"gemma","attn_logit_softcapping":50.0}""", "attn_logit_softcapping")]
    [InlineData("""{"model_type":"gemma","hidden_activation":"gelu"}""", "hidden_activation")]
    [InlineData("""{"model_type":"phi3","rope_scaling":{"type":"longrope","short_factor":[1.0],"long_factor":[2.0]}}""", "rope_scaling.type")]
    [InlineData("""{"model_type":"phi3","hidden_act":"gelu"}""", "hidden_act")]
    [InlineData("""{"model_type":"llama","hidden_act":"gelu"}""", "hidden_act")]
    [InlineData("""{"model_type":"mistral","sliding_window":4096,"max_position_embeddings":32768}""", "sliding_window")]
    [InlineData("""{"model_type":"qwen2","use_sliding_window":true,"sliding_window":4096,"max_position_embeddings":32768}""", "sliding_window")]
    [InlineData("""{"model_type":"gpt2","activation_function":"relu"}""", "activation_function")]
    [InlineData("""{"model_type":"gpt2","scale_attn_by_inverse_layer_idx":true}""", "scale_attn_by_inverse_layer_idx")]
    [InlineData("""{"model_type":"llama","vocab_size":10,"hidden_size":12,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":6,"num_key_value_heads":4}""", "num_key_value_heads")]
    [InlineData("""{"model_type":"llama","vocab_size":10,"hidden_size":12,"intermediate_size":8,"num_attention_heads":6}""", "num_hidden_layers")]
    [InlineData("""{"model_type":"gpt2","vocab_size":10,"n_embd":12,"n_layer":1}""", "n_head")]
    [InlineData("""{"model_type":"llama","vocab_size":10,"hidden_size":12,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":6,"eos_token_id":10}""", "eos_token_id")]
    [InlineData("""{"model_type":"llama","vocab_size":10,"hidden_size":12,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":6,"rms_norm_eps":0}""", "rms_norm_eps")]
    [InlineData("""{"model_type":"llama","vocab_size":10,"hidden_size":12,"intermediate_size":8,"num_hidden_layers":100000,"num_attention_heads":6}""", "num_hidden_layers")]
    [InlineData("""{"model_type":"llama","torch_dtype":"float8"}""", "torch_dtype")]
    public void RefusesUnsupportedOptions(string json, string key)
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse(json));
        Assert.Equal(key, e.Key);
        Assert.StartsWith("config.json: \"" + key + "\"", e.Message);
    }

    [Fact]
    public void RefusalMessageIsClear()
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse("""{"model_type":"llama","rope_scaling":{"rope_type":"yarn","factor":4.0}}"""));
        Assert.Equal("config.json: \"rope_scaling.rope_type\" \"yarn\" is not supported (supported: default, linear, dynamic, llama3).", e.Message);
    }

    [Fact]
    public void Gemma2IsRefusedNamingWhatIsMissing()
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse("""{"model_type":"gemma2"}"""));
        Assert.Contains("soft-capping", e.Message);
        Assert.Contains("sliding-window", e.Message);
    }

    [Fact]
    public void ParsesGemmaConfig()
    {
        // google/gemma-2b's config.json: hidden_act is ignored in favour of hidden_activation, as transformers does.
        var c = Parse("""
            {"architectures":["GemmaForCausalLM"],"model_type":"gemma","vocab_size":256000,"hidden_size":2048,"intermediate_size":16384,
             "num_hidden_layers":18,"num_attention_heads":8,"num_key_value_heads":1,"head_dim":256,"max_position_embeddings":8192,
             "rms_norm_eps":1e-06,"rope_theta":10000.0,"hidden_act":"gelu","hidden_activation":"gelu_pytorch_tanh","attention_bias":false,
             "bos_token_id":2,"eos_token_id":1,"pad_token_id":0,"torch_dtype":"bfloat16"}
            """);
        Assert.True(c.IsGemma);
        Assert.Equal(("gelu_pytorch_tanh", 256, true), (c.HiddenAct, c.HeadDim, c.TieWordEmbeddings));
        Assert.Equal("GemmaForCausalLM", c.ArchitectureName);
        var back = ModelConfig.Parse(JsonNode.Parse(c.ToJson())!.AsObject());
        Assert.Equal(c.ToJson(), back.ToJson());
    }

    [Fact]
    public void ParsesPhi3ConfigAndLimitsSequencesToItsWindow()
    {
        // microsoft/Phi-3-mini-4k-instruct's config.json.
        var c = Parse("""
            {"architectures":["Phi3ForCausalLM"],"model_type":"phi3","vocab_size":32064,"hidden_size":3072,"intermediate_size":8192,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":32,"max_position_embeddings":4096,
             "original_max_position_embeddings":4096,"sliding_window":2047,"rms_norm_eps":1e-05,"rope_theta":10000.0,"rope_scaling":null,
             "hidden_act":"silu","embd_pdrop":0.0,"resid_pdrop":0.0,"attention_dropout":0.0,"tie_word_embeddings":false,
             "bos_token_id":1,"eos_token_id":32000,"pad_token_id":32000,"torch_dtype":"bfloat16"}
            """);
        Assert.True(c.FusedProjections);
        Assert.Equal((2047, 2047, 4096), (c.SlidingWindow, c.ContextLength, c.MaxPositionEmbeddings));
        Assert.Equal(4096, c.Extra["original_max_position_embeddings"]!.GetValue<int>());
        var back = ModelConfig.Parse(JsonNode.Parse(c.ToJson())!.AsObject());
        Assert.Equal(c.ToJson(), back.ToJson());
        Assert.Equal(2047, back.SlidingWindow);
    }

    [Fact]
    public void MistralWithoutActiveWindowIsAccepted()
    {
        var c = Parse("""{"model_type":"mistral","sliding_window":null,"vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1}""");
        Assert.Equal("mistral", c.ModelType);
        Assert.Equal(32768, c.MaxPositionEmbeddings);
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void WritesConfigBack(string architecture)
    {
        var config = TinyModels.ConfigFor(architecture) with { Extra = new JsonObject { ["custom_key"] = "kept" } };
        var back = ModelConfig.Parse(JsonNode.Parse(config.ToJson())!.AsObject());
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal("kept", back.Extra["custom_key"]!.GetValue<string>());
    }

    [Fact]
    public void LoadNamesTheFile()
    {
        using var dir = new ScratchDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), """{"model_type":"llama","rope_scaling":{"rope_type":"linear"}}""");
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.Load(dir.Path));
        Assert.Contains(Path.Combine(dir.Path, "config.json"), e.Message);
        Assert.Contains("rope_scaling", e.Message);
    }
}
