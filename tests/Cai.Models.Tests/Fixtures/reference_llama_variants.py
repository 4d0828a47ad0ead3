#!/usr/bin/env python3
"""Plain-PyTorch reference for the Llama family's variants, following transformers' modeling code:
- rotary scaling (linear, dynamic NTK, llama3; rope_scaling or transformers 5's rope_parameters), as LlamaForCausalLM
  with its rope init functions (_compute_linear_scaling_rope_parameters, _compute_dynamic_ntk_parameters,
  _compute_llama3_parameters) and dynamic_rope_update's recompute for a sequence longer than max_position_embeddings;
- Gemma (GemmaForCausalLM): embeddings times sqrt(hidden_size) in their dtype, GemmaRMSNorm's x * (1 + weight), tanh
  GELU, an explicit head_dim, tied embeddings;
- Phi-3 (Phi3ForCausalLM): fused qkv_proj (q, k, v rows) and gate_up_proj (gate rows, then up).

Writes, beside this script in llama_variants/ (or OUTPUT_DIR):
- llama.safetensors, gemma.safetensors, phi3.safetensors: tiny models' weights in bfloat16 (fixed seed), in Hugging
  Face's names; the rotary cases share llama.safetensors;
- cases.json: the input ids and, per case, its weights file and the config.json to pair with them;
- expected_logits.safetensors: per case, the float32 logits [seq, vocab] of a forward pass over the input ids,
  computed in float32 from the bfloat16 weights.

Usage: /usr/bin/python3 reference_llama_variants.py [OUTPUT_DIR]   (needs torch; 1.13 is enough)
"""
import json
import math
import os
import struct
import sys

import torch

SEED = 11
SEQ_LEN = 40
BASE = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 32,
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 16,
    "hidden_act": "silu",
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "attention_bias": False,
    "mlp_bias": False,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}
LLAMA3 = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}
# With head_dim 16 and theta 1e4 the wavelengths are 6, 20, 63, 199, ... positions: with original 64 and factors 1 and
# 4, the first is kept, the next two are interpolated and the rest are divided by the factor.
GEMMA = {
    "architectures": ["GemmaForCausalLM"], "model_type": "gemma", "num_attention_heads": 4, "head_dim": 16,
    "hidden_act": "gelu", "hidden_activation": "gelu_pytorch_tanh", "rms_norm_eps": 1e-6, "tie_word_embeddings": True,
}
CASES = {
    "default": {"max_position_embeddings": 256},
    "llama3": {"max_position_embeddings": 256, "rope_scaling": {"rope_type": "llama3", **LLAMA3}},
    # transformers 5's key, with its own theta.
    "llama3_rope_parameters": {
        "max_position_embeddings": 256, "rope_theta": None,
        "rope_parameters": {"rope_type": "llama3", "rope_theta": 5000.0, **LLAMA3},
    },
    # transformers 4's older "type" key; the sequence is longer than max_position_embeddings.
    "linear": {"max_position_embeddings": 24, "rope_scaling": {"type": "linear", "factor": 4.0}},
    "dynamic": {"max_position_embeddings": 24, "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}},
    "gemma": {"max_position_embeddings": 256, **GEMMA},
    # Phi-3-mini-4k's window is 2047 of 4096 positions; here the input just fits the window.
    "phi3": {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "max_position_embeddings": 64, "sliding_window": SEQ_LEN},
}


def config_of(name):
    config = dict(BASE)
    config.update(CASES[name])
    return {k: v for k, v in config.items() if v is not None}


def weights_file(name):
    return {"gemma": "gemma.safetensors", "phi3": "phi3.safetensors"}.get(name, "llama.safetensors")


def rope_parameters(config):
    """(rope type, its parameters, theta) from rope_parameters (transformers 5) or rope_scaling (transformers 4)."""
    params = config.get("rope_parameters") or config.get("rope_scaling") or {}
    rope_type = params.get("rope_type", params.get("type", "default"))
    theta = params.get("rope_theta", config.get("rope_theta", 10000.0))
    return rope_type, params, theta


def inv_freq_of(config, seq_len):
    """transformers' rope init functions; seq_len is a tensor, as dynamic_rope_update passes it."""
    rope_type, params, base = rope_parameters(config)
    dim = config["head_dim"]
    max_position_embeddings = config["max_position_embeddings"]
    if rope_type == "dynamic":
        factor = params["factor"]
        seq_len = seq_len if seq_len > max_position_embeddings else max_position_embeddings
        base = base * ((factor * seq_len / max_position_embeddings) - (factor - 1)) ** (dim / (dim - 2))
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    if rope_type == "linear":
        inv_freq /= params["factor"]
    elif rope_type == "llama3":
        factor = params["factor"]
        low_freq_factor = params["low_freq_factor"]
        high_freq_factor = params["high_freq_factor"]
        old_context_len = params["original_max_position_embeddings"]
        low_freq_wavelen = old_context_len / low_freq_factor
        high_freq_wavelen = old_context_len / high_freq_factor
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
        smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
        is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        inv_freq = torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
    return inv_freq


def make_weights(config):
    """Random weights in Hugging Face's names, rounded to bfloat16 (stored so) and computed with in float32."""
    c = config
    h, i, v, d = c["hidden_size"], c["intermediate_size"], c["vocab_size"], c["head_dim"]
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    gemma, phi3 = c["model_type"] == "gemma", c["model_type"] == "phi3"
    unit = 0.0 if gemma else 1.0  # Gemma's norm weights are offsets from 1
    w = {"model.embed_tokens.weight": torch.randn(v, h) * (0.3 if gemma else 1.0)}
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        w[p + "input_layernorm.weight"] = unit + 0.1 * torch.randn(h)
        if phi3:
            w[p + "self_attn.qkv_proj.weight"] = torch.randn((heads + 2 * kv) * d, h) / math.sqrt(h)
        else:
            w[p + "self_attn.q_proj.weight"] = torch.randn(heads * d, h) / math.sqrt(h)
            w[p + "self_attn.k_proj.weight"] = torch.randn(kv * d, h) / math.sqrt(h)
            w[p + "self_attn.v_proj.weight"] = torch.randn(kv * d, h) / math.sqrt(h)
        w[p + "self_attn.o_proj.weight"] = torch.randn(h, heads * d) / math.sqrt(heads * d)
        w[p + "post_attention_layernorm.weight"] = unit + 0.1 * torch.randn(h)
        if phi3:
            w[p + "mlp.gate_up_proj.weight"] = torch.randn(2 * i, h) / math.sqrt(h)
        else:
            w[p + "mlp.gate_proj.weight"] = torch.randn(i, h) / math.sqrt(h)
            w[p + "mlp.up_proj.weight"] = torch.randn(i, h) / math.sqrt(h)
        w[p + "mlp.down_proj.weight"] = torch.randn(h, i) / math.sqrt(i)
    w["model.norm.weight"] = unit + 0.1 * torch.randn(h)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = torch.randn(v, h) / math.sqrt(h)
    return {name: t.to(torch.bfloat16).float() for name, t in w.items()}


def rms_norm(x, weight, eps, gemma):
    """LlamaRMSNorm, or GemmaRMSNorm's x * (1 + weight)."""
    variance = x.pow(2).mean(-1, keepdim=True)
    normed = x * torch.rsqrt(variance + eps)
    return normed * (1.0 + weight) if gemma else weight * normed


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(w, config, input_ids):
    """LlamaForCausalLM / GemmaForCausalLM / Phi3ForCausalLM.forward for one unpadded sequence: logits [seq, vocab]."""
    c = config
    h, d, i = c["hidden_size"], c["head_dim"], c["intermediate_size"]
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    eps = c["rms_norm_eps"]
    gemma, phi3 = c["model_type"] == "gemma", c["model_type"] == "phi3"
    act = (lambda t: torch.nn.functional.gelu(t, approximate="tanh")) if gemma else torch.nn.functional.silu
    seq = len(input_ids)
    position_ids = torch.arange(seq)[None, :]
    inv_freq = inv_freq_of(c, torch.max(position_ids) + 1)
    freqs = (inv_freq[None, :, None].float() @ position_ids[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [1, 1, seq, d]; attention_scaling is 1 for these types
    x = w["model.embed_tokens.weight"][torch.tensor(input_ids)][None]
    if gemma:
        x = x * torch.tensor(h ** 0.5, dtype=x.dtype)
    mask = torch.full((seq, seq), float("-inf")).triu(1)
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        normed = rms_norm(x, w[p + "input_layernorm.weight"], eps, gemma)
        if phi3:  # Phi3Attention: query_pos = heads * d, then the key rows, then the value rows
            qkv = normed @ w[p + "self_attn.qkv_proj.weight"].T
            q, k, v = qkv[..., :heads * d], qkv[..., heads * d:(heads + kv) * d], qkv[..., (heads + kv) * d:]
        else:
            q = normed @ w[p + "self_attn.q_proj.weight"].T
            k = normed @ w[p + "self_attn.k_proj.weight"].T
            v = normed @ w[p + "self_attn.v_proj.weight"].T
        q = q.reshape(1, seq, heads, d).transpose(1, 2)
        k = k.reshape(1, seq, kv, d).transpose(1, 2)
        v = v.reshape(1, seq, kv, d).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv, dim=1)
        v = v.repeat_interleave(heads // kv, dim=1)
        scores = q @ k.transpose(2, 3) / math.sqrt(d) + mask
        attended = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(1, seq, heads * d)
        x = x + attended @ w[p + "self_attn.o_proj.weight"].T
        normed = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps, gemma)
        if phi3:  # Phi3MLP: gate, up_states = gate_up_proj(x).chunk(2, dim=-1)
            gate, up = (normed @ w[p + "mlp.gate_up_proj.weight"].T).chunk(2, dim=-1)
        else:
            gate = normed @ w[p + "mlp.gate_proj.weight"].T
            up = normed @ w[p + "mlp.up_proj.weight"].T
        x = x + (act(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps, gemma)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return (x @ head.T)[0]


def write_safetensors(path, tensors, bf16=False):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        blob = struct.pack(f"<{t.numel()}f", *t.flatten().tolist())
        if bf16:  # the values are bfloat16-exact: keep the high half of each float32
            blob = b"".join(blob[k + 2:k + 4] for k in range(0, len(blob), 4))
        header[name] = {"dtype": "BF16" if bf16 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "llama_variants")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    weights = {file: make_weights(config_of(name)) for name, file in
               [("default", "llama.safetensors"), ("gemma", "gemma.safetensors"), ("phi3", "phi3.safetensors")]}
    input_ids = torch.randint(0, BASE["vocab_size"], (SEQ_LEN,)).tolist()
    with torch.no_grad():
        logits = {name: forward(weights[weights_file(name)], config_of(name), input_ids) for name in CASES}
    for name in ["llama3", "llama3_rope_parameters", "linear", "dynamic"]:
        # Each scaling must change the logits, or the comparison would prove nothing.
        assert (logits[name] - logits["default"]).abs().max() > 1e-2, f"{name} gives the default rotary embedding's logits"
    for file, tensors in weights.items():
        write_safetensors(os.path.join(out, file), tensors, bf16=True)
    write_safetensors(os.path.join(out, "expected_logits.safetensors"), logits)
    cases = {name: {"weights": weights_file(name), "config": config_of(name)} for name in CASES}
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"input_ids": input_ids, "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
