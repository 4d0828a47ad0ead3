#!/usr/bin/env python3
"""Independent pure-Python reference for the Llama architecture (no numpy, no torch).

Builds a tiny LlamaForCausalLM with random weights from a fixed seed, writes it as a Hugging Face checkpoint
directory (config.json + model.safetensors in BF16, written with struct), then greedy-decodes a prompt by full
recomputation in Python floats and writes expected_tokens.json. The C# test runs `cai generate --json
--temperature 0` on the same directory and must produce the same tokens.

Usage: python3 reference_llama.py [OUTPUT_DIR]   (default: reference_llama/ beside this script)
"""
import json
import math
import os
import random
import struct
import sys

SEED = 6
CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 48,
    "hidden_size": 16,
    "intermediate_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 64,
    "hidden_act": "silu",
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "attention_bias": False,
    "mlp_bias": False,
    "tie_word_embeddings": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "bfloat16",
}
PROMPT = [1, 7, 21, 33, 5, 40]
MAX_NEW_TOKENS = 20


def bf16(x):
    """Round a float to the nearest bfloat16 (ties to even); returns (value, 16-bit pattern)."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return struct.unpack("<f", struct.pack("<I", bits << 16))[0], bits


def make_weights():
    rng = random.Random(SEED)
    c = CONFIG
    h, i, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    d = h // heads
    weights = {}  # name -> (shape, flat list of bf16-exact floats, bf16 bit patterns)

    def tensor(name, shape, std, mean=0.0):
        values, bits = [], []
        for _ in range(math.prod(shape)):
            value, pattern = bf16(rng.gauss(mean, std))
            values.append(value)
            bits.append(pattern)
        weights[name] = (shape, values, bits)

    tensor("model.embed_tokens.weight", [v, h], 1.0)
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        tensor(p + "input_layernorm.weight", [h], 0.1, 1.0)
        tensor(p + "self_attn.q_proj.weight", [heads * d, h], 1 / math.sqrt(h))
        tensor(p + "self_attn.k_proj.weight", [kv * d, h], 1 / math.sqrt(h))
        tensor(p + "self_attn.v_proj.weight", [kv * d, h], 1 / math.sqrt(h))
        tensor(p + "self_attn.o_proj.weight", [h, heads * d], 1 / math.sqrt(h))
        tensor(p + "post_attention_layernorm.weight", [h], 0.1, 1.0)
        tensor(p + "mlp.gate_proj.weight", [i, h], 1 / math.sqrt(h))
        tensor(p + "mlp.up_proj.weight", [i, h], 1 / math.sqrt(h))
        tensor(p + "mlp.down_proj.weight", [h, i], 1 / math.sqrt(i))
    tensor("model.norm.weight", [h], 0.1, 1.0)
    tensor("lm_head.weight", [v, h], 2 / math.sqrt(h))
    return weights


def write_safetensors(path, weights):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name in sorted(weights):
        shape, _, bits = weights[name]
        blob = struct.pack(f"<{len(bits)}H", *bits)
        header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def matvec(w, shape, x):
    rows, cols = shape
    return [sum(w[r * cols + k] * x[k] for k in range(cols)) for r in range(rows)]


def rms_norm(x, w, eps):
    scale = 1.0 / math.sqrt(sum(t * t for t in x) / len(x) + eps)
    return [w[k] * x[k] * scale for k in range(len(x))]


def rope(x, pos, theta):
    half = len(x) // 2
    out = list(x)
    for k in range(half):
        angle = pos * (1.0 / theta ** (2 * k / len(x)))
        c, s = math.cos(angle), math.sin(angle)
        out[k] = x[k] * c - x[k + half] * s
        out[k + half] = x[k + half] * c + x[k] * s
    return out


def forward(weights, tokens):
    """Logits of the last position, recomputing the whole sequence."""
    c = CONFIG
    h = c["hidden_size"]
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    d, eps, theta = h // heads, c["rms_norm_eps"], c["rope_theta"]
    W = lambda name: weights[name][1]
    S = lambda name: weights[name][0]
    emb = W("model.embed_tokens.weight")
    xs = [emb[t * h:(t + 1) * h] for t in tokens]
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        normed = [rms_norm(x, W(p + "input_layernorm.weight"), eps) for x in xs]
        qs, ks, vs = [], [], []
        for pos, x in enumerate(normed):
            q = matvec(W(p + "self_attn.q_proj.weight"), S(p + "self_attn.q_proj.weight"), x)
            k = matvec(W(p + "self_attn.k_proj.weight"), S(p + "self_attn.k_proj.weight"), x)
            v = matvec(W(p + "self_attn.v_proj.weight"), S(p + "self_attn.v_proj.weight"), x)
            qs.append([rope(q[hd * d:(hd + 1) * d], pos, theta) for hd in range(heads)])
            ks.append([rope(k[hd * d:(hd + 1) * d], pos, theta) for hd in range(kv)])
            vs.append([v[hd * d:(hd + 1) * d] for hd in range(kv)])
        new_xs = []
        for pos, x in enumerate(xs):
            attended = []
            for hd in range(heads):
                g = hd // (heads // kv)
                scores = [sum(a * b for a, b in zip(qs[pos][hd], ks[j][g])) / math.sqrt(d) for j in range(pos + 1)]
                top = max(scores)
                exps = [math.exp(s - top) for s in scores]
                total = sum(exps)
                attended += [sum(exps[j] / total * vs[j][g][k] for j in range(pos + 1)) for k in range(d)]
            o = matvec(W(p + "self_attn.o_proj.weight"), S(p + "self_attn.o_proj.weight"), attended)
            x = [a + b for a, b in zip(x, o)]
            m = rms_norm(x, W(p + "post_attention_layernorm.weight"), eps)
            gate = matvec(W(p + "mlp.gate_proj.weight"), S(p + "mlp.gate_proj.weight"), m)
            up = matvec(W(p + "mlp.up_proj.weight"), S(p + "mlp.up_proj.weight"), m)
            act = [g / (1.0 + math.exp(-g)) * u for g, u in zip(gate, up)]
            down = matvec(W(p + "mlp.down_proj.weight"), S(p + "mlp.down_proj.weight"), act)
            new_xs.append([a + b for a, b in zip(x, down)])
        xs = new_xs
    last = rms_norm(xs[-1], W("model.norm.weight"), eps)
    return matvec(W("lm_head.weight"), S("lm_head.weight"), last)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_llama")
    os.makedirs(out, exist_ok=True)
    weights = make_weights()
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(out, "model.safetensors"), weights)

    tokens, generated, margins = list(PROMPT), [], []
    for _ in range(MAX_NEW_TOKENS):
        logits = forward(weights, tokens)
        ranked = sorted(range(len(logits)), key=lambda t: -logits[t])
        margins.append(logits[ranked[0]] - logits[ranked[1]])
        tokens.append(ranked[0])
        generated.append(ranked[0])
        if ranked[0] == CONFIG["eos_token_id"]:
            break
    # Greedy tokens are only a fair comparison when no step is a near tie.
    assert min(margins) > 1e-3, f"a greedy step is a near tie ({min(margins)}); change SEED or PROMPT"
    with open(os.path.join(out, "expected_tokens.json"), "w") as f:
        json.dump({"prompt_ids": PROMPT, "max_new_tokens": MAX_NEW_TOKENS, "output_ids": generated,
                   "min_top2_logit_margin": round(min(margins), 4)}, f, indent=2)
        f.write("\n")
    print(f"wrote {out}: {len(generated)} tokens {generated}, smallest top-2 margin {min(margins):.4f}")


if __name__ == "__main__":
    main()
