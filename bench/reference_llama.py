#!/usr/bin/env python3
"""The PyTorch reference of `cai bench`: the same model, steps and timing in plain PyTorch.

The model follows transformers' LlamaForCausalLM (modeling_llama.py): LlamaRMSNorm (float32 inside), rotary
embeddings with rotate_half (cos/sin computed per forward in float32), grouped-query attention through repeat_kv and
scaled_dot_product_attention (an eager softmax in float32 on PyTorch 1.x, which has no SDPA), the SwiGLU MLP and a
tied or untied LM head. Generation uses a static KV cache ([batch, kv_heads, max_length, head_dim] per layer, written
in place), prefills the whole prompt, then decodes greedily, reading each step's tokens back to the host once (as
transformers' stopping checks do and as cai does).

It loads the checkpoint `cai bench --write-checkpoint DIR` writes (Hugging Face layout, float32 safetensors, read by
the small reader below: PyTorch 1.13 has no safetensors package here) and DIR/bench.json, which holds what cai
measured (batches, new tokens, prompt length, threads, training sizes: the defaults here) and cai's greedy tokens
for a few prompts. It first checks that its own greedy decoding in float32 produces those tokens (a difference at a
near tie, top-2 logits within 1e-3 relative, is reported and accepted; any other difference exits with status 1),
then times itself as cai does: one warm-up, then the median of --runs runs in this process.

  generation   per batch size: tokens/s, time to first token (median of generations of 1 token), prefill, and per
               decode step the forward pass, sampling (argmax) and host synchronisation (the read of the tokens)
  training     sft: causal LM loss on the completion half of each row; dpo: summed completion log-probabilities of
               chosen and rejected rows under the policy and a frozen reference (no_grad), the DPO loss (beta 0.1);
               each with backward, gradient clipping to 1 and AdamW (lr 1e-5, betas 0.9/0.95, weight decay 0.1 on
               matrices). --dtype bfloat16 runs the step under torch.autocast with float32 weights and AdamW.

MFU is against the same timed matmul as `cai doctor` (1024^3 x10 on the CPU, 4096^3 x50 on a GPU) in the dtype, run
here, or against --peak-gflops (cai's figure, so both share one yardstick: Debian's PyTorch 1.13 uses the netlib
reference BLAS, about 4 GFLOP/s on one core where cai's libtorch reaches about 80).
Output: one JSON line per measurement (the keys of `cai bench`, "implementation": "pytorch"), then tables.

Usage:
  /usr/bin/python3 bench/reference_llama.py --checkpoint DIR [--device cpu|cuda[:N]] [--dtype float32|bfloat16|float16]
      [--threads N] [--batches 1,16,64] [--new-tokens N] [--prompt-length N] [--runs 3] [--train-batch N]
      [--train-seq N] [--training sft,dpo|none] [--skip-generation] [--check-only] [--output FILE]
Runs on PyTorch 1.13 (CPU) and 2.x (CPU or CUDA).
"""
import argparse
import copy
import json
import math
import os
import resource
import statistics
import struct
import sys
import time
from datetime import datetime, timezone

import torch
import torch.nn.functional as F
from torch import nn

SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
                      "I64": torch.int64, "I32": torch.int32}
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
TIE_TOLERANCE = 1e-3


# ---- checkpoint -------------------------------------------------------------------------------------------------

def read_safetensors(path):
    """name -> tensor: an 8-byte little-endian header length, a JSON header, then the raw little-endian bytes."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    (length,) = struct.unpack("<Q", bytes(data[:8]))
    header = json.loads(bytes(data[8:8 + length]))
    base, tensors = 8 + length, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        count = (end - start) // torch.empty((), dtype=dtype).element_size()
        flat = torch.frombuffer(data, dtype=dtype, count=count, offset=base + start) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(folder, name)))
    with open(os.path.join(folder, "config.json")) as f:
        return json.load(f), weights


# ---- model (transformers' Llama) ---------------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, groups):
    if groups == 1:
        return x
    b, kv, s, d = x.shape
    return x[:, :, None, :, :].expand(b, kv, groups, s, d).reshape(b, kv * groups, s, d)


def attention(q, k, v, causal):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        s, t = q.shape[-2], k.shape[-2]
        mask = torch.ones(s, t, dtype=torch.bool, device=q.device).tril(t - s)
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype) @ v


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
        self.head_dim = c.get("head_dim") or c["hidden_size"] // self.heads
        h, bias = c["hidden_size"], c.get("attention_bias", False)
        self.q_proj = nn.Linear(h, self.heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.heads * self.head_dim, h, bias=bias)

    def forward(self, x, cos, sin, cache, position):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if cache is not None:  # (keys, values) of this layer, [batch, kv_heads, max_length, head_dim]
            cache[0][:, :, position:position + s] = k
            cache[1][:, :, position:position + s] = v
            k, v = cache[0][:, :, :position + s], cache[1][:, :, :position + s]
        groups = self.heads // self.kv_heads
        y = attention(q, repeat_kv(k, groups), repeat_kv(v, groups), causal=s > 1)
        return self.o_proj(y.transpose(1, 2).reshape(b, s, self.heads * self.head_dim))


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i, bias = c["hidden_size"], c["intermediate_size"], c.get("mlp_bias", False)
        self.gate_proj, self.up_proj, self.down_proj = nn.Linear(h, i, bias=bias), nn.Linear(h, i, bias=bias), nn.Linear(i, h, bias=bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("rms_norm_eps", 1e-6)
        self.self_attn, self.mlp = Attention(c), Mlp(c)
        self.input_layernorm, self.post_attention_layernorm = RMSNorm(c["hidden_size"], eps), RMSNorm(c["hidden_size"], eps)

    def forward(self, x, cos, sin, cache, position):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache, position)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-6))


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c.get("rope_scaling"):
            raise SystemExit("reference_llama.py: rope_scaling is not supported (the bench presets have none)")
        self.config = c
        self.model = LlamaModel(c)
        self.tied = c.get("tie_word_embeddings", False)
        self.lm_head = None if self.tied else nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        theta = c.get("rope_theta", 10000.0)
        self.register_buffer("inv_freq", 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim), persistent=False)

    def rotary(self, positions, dtype):
        """cos, sin [1, seq, head_dim] in float32, then in the activations' type (LlamaRotaryEmbedding)."""
        freqs = positions.float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)[None]
        return emb.cos().to(dtype), emb.sin().to(dtype)

    def forward(self, ids, cache=None, position=0, last_only=False):
        x = self.model.embed_tokens(ids)
        cos, sin = self.rotary(torch.arange(position, position + ids.shape[1], device=ids.device), x.dtype)
        for i, layer in enumerate(self.model.layers):
            x = layer(x, cos, sin, None if cache is None else cache[i], position)
        x = self.model.norm(x)
        if last_only:
            x = x[:, -1:]
        return F.linear(x, self.model.embed_tokens.weight) if self.tied else self.lm_head(x)

    def new_cache(self, batch, length, device, dtype):
        c = self.config
        kv, d = c["num_key_value_heads"], c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        return [(torch.zeros(batch, kv, length, d, device=device, dtype=dtype), torch.zeros(batch, kv, length, d, device=device, dtype=dtype))
                for _ in range(c["num_hidden_layers"])]


def load_model(folder, device):
    config, weights = read_checkpoint(folder)
    model = LlamaForCausalLM(config)
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=False)
    missing = [m for m in missing if not (model.tied and m == "lm_head.weight")]
    if missing or unexpected:
        raise SystemExit(f"reference_llama.py: {folder}: missing weights {missing}, unexpected {unexpected}")
    return config, model.to(device).eval()


def matmul_parameters(model):
    """Weights that take part in matmuls: every matrix but an untied embedding table (a lookup)."""
    return sum(p.numel() for n, p in model.named_parameters() if p.dim() >= 2 and not ("embed_tokens" in n and not model.tied))


# ---- timing helpers ----------------------------------------------------------------------------------------------

def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def probe(device, dtype):
    """cai doctor's matmul: GFLOP/s of size^3 matmuls."""
    size, iterations = (4096, 50) if device.type == "cuda" else (1024, 10)
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    (a @ b).sum().float().item()
    start = time.perf_counter()
    for _ in range(iterations):
        c = a @ b
    c.sum().float().item()
    return 2.0 * size ** 3 * iterations / (time.perf_counter() - start) / 1e9


def prompt(row, length, vocab):
    """Benchmark prompt `row` (the formula of `cai bench`)."""
    return [3 + (i * 37 + row * 101) % (vocab - 3) for i in range(length)]


# ---- generation --------------------------------------------------------------------------------------------------

@torch.no_grad()
def generate(model, ids, new_tokens, dtype, phases=None):
    """Greedy tokens [batch, new_tokens] (on the host); phases, when given, collects the seconds of each part."""
    device, (batch, length) = ids.device, ids.shape
    cache = model.new_cache(batch, length + new_tokens, device, dtype)
    t = time.perf_counter()
    logits = model(ids, cache, 0, last_only=True)
    if phases is not None:
        phases["prefill"] += time.perf_counter() - t
    tokens = []
    for step in range(new_tokens):
        t = time.perf_counter()
        if step > 0:
            logits = model(next_ids, cache, length + step - 1, last_only=True)
        t1 = time.perf_counter()
        next_ids = logits[:, -1].argmax(-1, keepdim=True)
        t2 = time.perf_counter()
        tokens.append(next_ids.cpu())  # the one host read of the step
        if phases is not None and step > 0:
            phases["forward"] += t1 - t
            phases["sampling"] += t2 - t1
            phases["host"] += time.perf_counter() - t2
            phases["steps"] += 1
    return torch.cat(tokens, dim=1)


@torch.no_grad()
def check_greedy(model, bench, device):
    """cai's greedy tokens (bench.json) against ours in float32, prompt by prompt; returns the report line."""
    greedy = bench["greedy"]
    agreed, ties, failures = 0, [], []
    for r, (ids, expected) in enumerate(zip(greedy["prompts"], greedy["output_ids"])):
        ours = generate(model, torch.tensor([ids], device=device), len(expected), torch.float32)[0].tolist()
        for t, (a, b) in enumerate(zip(ours, expected)):
            if a == b:
                agreed += 1
                continue
            logits = model(torch.tensor([ids + ours[:t]], device=device))[0, -1].float()
            margin = (logits[a] - logits[b]).item()
            entry = {"prompt": r, "position": t, "ours": a, "cai": b, "logit_margin": margin}
            (ties if margin <= TIE_TOLERANCE * max(1.0, abs(logits[a].item())) else failures).append(entry)
            break
    return {"agreed_tokens": agreed, "expected_tokens": sum(len(o) for o in greedy["output_ids"]), "near_ties": ties,
            "mismatches": failures, "ok": not failures}


def measure_generation(model, config, args, batch, device, dtype, peak):
    vocab = config["vocab_size"]
    ids = torch.tensor([prompt(r, args.prompt_length, vocab) for r in range(batch)], device=device)

    def run(new_tokens, phases=None):
        sync(device)
        start = time.perf_counter()
        out = generate(model, ids, new_tokens, dtype, phases)  # ends with a host read
        return time.perf_counter() - start, out

    run(args.new_tokens)  # warm-up at these shapes
    timed = []
    for _ in range(args.runs):
        phases = dict(prefill=0.0, forward=0.0, sampling=0.0, host=0.0, steps=0)
        seconds, out = run(args.new_tokens, phases)
        timed.append((seconds, phases, out.numel()))
    first = [run(1)[0] for _ in range(args.runs)]
    seconds, phases, generated = sorted(timed, key=lambda r: r[0])[len(timed) // 2]
    steps = max(1, phases["steps"])
    c = config
    head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    flops = 2.0 * matmul_parameters(model) + 4.0 * c["num_hidden_layers"] * c["num_attention_heads"] * head_dim * (args.prompt_length + args.new_tokens / 2)
    line = base_line("generation", args, device)
    line.update(batch=batch, prompt_tokens=args.prompt_length, new_tokens=args.new_tokens, generated_tokens=generated,
                runs_seconds=[round(r[0], 6) for r in timed], median_seconds=round(seconds, 6),
                tokens_per_second=round(generated / seconds, 3), time_to_first_token_seconds=round(statistics.median(first), 6),
                prefill_seconds=round(phases["prefill"], 6), decode_steps=phases["steps"],
                decode_forward_ms_per_step=round(1000 * phases["forward"] / steps, 4),
                sampling_ms_per_step=round(1000 * phases["sampling"] / steps, 4),
                host_sync_ms_per_step=round(1000 * phases["host"] / steps, 4), host_reads_per_step=1.0,
                flops_per_token=flops, mfu=round(flops * generated / seconds / (peak * 1e9), 5))
    return line


# ---- training ----------------------------------------------------------------------------------------------------

def adamw(model):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "norm" not in n and "embed" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "norm" not in n and "embed" not in n)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                             lr=1e-5, betas=(0.9, 0.95), eps=1e-8)


def completion_logps(model, ids, prompt_length):
    logits = model(ids)[:, :-1].float()
    targets = ids[:, 1:]
    token = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1)
    return token[:, prompt_length - 1:].sum(-1)


def measure_training(step, model, config, args, device, dtype, peak):
    vocab, b, s = config["vocab_size"], args.train_batch, args.train_seq
    half = s // 2
    generator = torch.Generator().manual_seed(5)

    def rows(n):
        prompts = torch.tensor([prompt(r, half, vocab) for r in range(n)])
        return torch.cat([prompts, torch.randint(3, vocab, (n, s - half), generator=generator)], dim=1).to(device)

    policy = copy.deepcopy(model).train()
    optimizer = adamw(policy)
    autocast = torch.autocast(device_type=device.type, dtype=dtype) if dtype != torch.float32 else None
    if step == "sft":
        ids = rows(b)
        labels = ids.clone()
        labels[:, :half] = -100
        sequences = b

        def loss_fn():
            logits = policy(ids)
            return F.cross_entropy(logits[:, :-1].float().reshape(-1, vocab), labels[:, 1:].reshape(-1), ignore_index=-100)
        flops = 6.0 * matmul_parameters(policy)
        attention_factor = 12
    else:
        ids = torch.cat([rows(b), rows(b)])  # chosen rows, then rejected rows with the same prompts
        reference = copy.deepcopy(model).eval().requires_grad_(False)
        sequences = 2 * b

        def loss_fn():
            logps = completion_logps(policy, ids, half)
            with torch.no_grad():
                ref = completion_logps(reference, ids, half)
            h = (logps[:b] - ref[:b]) - (logps[b:] - ref[b:])
            return -F.logsigmoid(0.1 * h).mean()
        flops = 8.0 * matmul_parameters(policy)
        attention_factor = 16
    c = config
    head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    flops += attention_factor * c["num_hidden_layers"] * c["num_attention_heads"] * head_dim * s

    def one_step():
        sync(device)
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        if autocast is not None:
            with autocast:
                loss = loss_fn()
        else:
            loss = loss_fn()
        loss.backward()
        loss.item()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()
        sync(device)
        return time.perf_counter() - start

    one_step()  # warm-up
    timed = [one_step() for _ in range(args.runs)]
    median = statistics.median(timed)
    line = base_line("training", args, device)
    line.update(step=step, precision="autocast bf16 matmuls, fp32 weights and AdamW" if dtype == torch.bfloat16 else "fp32",
                sequences=sequences, sequence_length=s, tokens_per_step=sequences * s,
                runs_seconds=[round(t, 6) for t in timed], median_seconds=round(median, 6),
                tokens_per_second=round(sequences * s / median, 3), flops_per_token=flops,
                mfu=round(flops * sequences * s / median / (peak * 1e9), 5),
                peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    if device.type == "cuda":
        line["peak_cuda_mib"] = round(torch.cuda.max_memory_allocated(device) / 2 ** 20, 1)
    return line


# ---- output ------------------------------------------------------------------------------------------------------

def base_line(measurement, args, device):
    return {"measurement": measurement, "implementation": "pytorch", "model": args.name, "device": str(device),
            "dtype": args.dtype, "threads": torch.get_num_threads()}


class Report:
    def __init__(self, output):
        self.lines, self.output = [], output

    def add(self, line):
        self.lines.append(line)
        text = json.dumps(line)
        print(text, flush=True)
        if self.output:
            os.makedirs(os.path.dirname(os.path.abspath(self.output)), exist_ok=True)
            with open(self.output, "a") as f:
                f.write(text + "\n")

    def tables(self):
        def f(line, key, digits, scale=1.0):
            return f"{line[key] * scale:.{digits}f}" if isinstance(line.get(key), (int, float)) else "–"
        gen = [l for l in self.lines if l["measurement"] == "generation"]
        if gen:
            print("\n| model | device | dtype | batch | new tokens | tokens/s | MFU | time to first token ms | prefill ms | decode forward ms/step | sampling ms/step | host sync ms/step | host reads/step |")
            print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
            for l in gen:
                print(f"| {l['model']} | {l['device']} | {l['dtype']} | {l['batch']} | {l['new_tokens']} | {f(l, 'tokens_per_second', 1)} | "
                      f"{f(l, 'mfu', 1, 100)} % | {f(l, 'time_to_first_token_seconds', 1, 1000)} | {f(l, 'prefill_seconds', 1, 1000)} | "
                      f"{f(l, 'decode_forward_ms_per_step', 2)} | {f(l, 'sampling_ms_per_step', 2)} | {f(l, 'host_sync_ms_per_step', 2)} | "
                      f"{f(l, 'host_reads_per_step', 2)} |")
        train = [l for l in self.lines if l["measurement"] == "training"]
        if train:
            print("\n| model | device | dtype | step | sequences x tokens | seconds/step | tokens/s | MFU | peak RSS MiB |")
            print("|---|---|---|---|---|---|---|---|---|")
            for l in train:
                print(f"| {l['model']} | {l['device']} | {l['dtype']} | {l['step']} | {l['sequences']} x {l['sequence_length']} | "
                      f"{f(l, 'median_seconds', 3)} | {f(l, 'tokens_per_second', 0)} | {f(l, 'mfu', 1, 100)} % | {f(l, 'peak_rss_mib', 0)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="a folder written by cai bench --write-checkpoint")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    parser.add_argument("--threads", type=int)
    parser.add_argument("--batches")
    parser.add_argument("--new-tokens", type=int)
    parser.add_argument("--prompt-length", type=int)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--train-batch", type=int)
    parser.add_argument("--train-seq", type=int)
    parser.add_argument("--training")
    parser.add_argument("--skip-generation", action="store_true")
    parser.add_argument("--check-only", action="store_true", help="check cai's greedy tokens, time nothing")
    parser.add_argument("--peak-gflops", type=float, help="the matmul GFLOP/s to take MFU against (e.g. cai's, from its machine line); default: measured here")
    parser.add_argument("--output", help="also append the JSON lines to this file")
    args = parser.parse_args()

    with open(os.path.join(args.checkpoint, "bench.json")) as f:
        bench = json.load(f)
    # What cai measured is the default here.
    args.name = bench["model"]
    args.batches = [int(b) for b in args.batches.split(",")] if args.batches else bench["batches"]
    args.new_tokens = args.new_tokens or bench["new_tokens"]
    args.prompt_length = args.prompt_length or bench["prompt_length"]
    args.runs = args.runs or bench["runs"]
    args.train_batch = args.train_batch or bench["train_batch"]
    args.train_seq = args.train_seq or bench["train_sequence"]
    args.training = bench["training"] if args.training is None else [] if args.training == "none" else args.training.split(",")
    threads = args.threads or bench.get("threads")
    if threads:
        torch.set_num_threads(threads)
    device = torch.device(args.device)
    dtype = DTYPES[args.dtype]
    report = Report(args.output)

    config, model = load_model(args.checkpoint, device)
    check = base_line("greedy_check", args, device)
    check["dtype"] = "float32"
    check.update(check_greedy(model, bench, device))
    report.add(check)
    if not check["ok"]:
        print(f"reference_llama.py: cai's greedy tokens differ from the reference's: {check['mismatches']}", file=sys.stderr)
        return 1
    if args.check_only:
        return 0

    training = args.training and dtype != torch.float16
    peaks = {dtype: args.peak_gflops or probe(device, dtype)}
    machine = base_line("machine", args, device)
    machine.update(date_utc=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"), cores=os.cpu_count(),
                   torch_threads=torch.get_num_threads(), load_average=os.getloadavg()[0], torch=torch.__version__,
                   python=sys.version.split()[0], matmul="1024^3 x10" if device.type != "cuda" else "4096^3 x50")
    if device.type == "cuda":
        machine["gpu"] = torch.cuda.get_device_name(device)
    machine[f"matmul_{args.dtype}_gflops"] = round(peaks[dtype], 1)
    machine["matmul_source"] = "--peak-gflops" if args.peak_gflops else "measured here"
    report.add(machine)

    if not args.skip_generation:
        generation_model = model if dtype == torch.float32 else copy.deepcopy(model).to(dtype)
        for batch in args.batches:
            print(f"reference: generation at batch {batch}, {args.new_tokens} new tokens", file=sys.stderr, flush=True)
            report.add(measure_generation(generation_model, config, args, batch, device, dtype, peaks[dtype]))
        del generation_model
    if training:
        for step in args.training:
            print(f"reference: {step} training step, {args.train_batch} x {args.train_seq} tokens", file=sys.stderr, flush=True)
            report.add(measure_training(step, model, config, args, device, dtype, peaks[dtype]))
    elif args.training:
        print("reference: no training step in float16 (it needs loss scaling; use bfloat16)", file=sys.stderr)
    report.tables()
    return 0


if __name__ == "__main__":
    sys.exit(main())
