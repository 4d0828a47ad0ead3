"""Hugging Face transformers' own `generate` on a GPU: the second reference for `cai bench` (bench/reference_llama.py is
the first). Timed like cai: one warm-up, then the median of 3 runs in the same process, per batch size.

python3 bench/hf_bench.py make DIR
    a random SmolLM-135M-shaped Llama checkpoint (save_pretrained), for when no cai checkpoint is at hand
python3 bench/hf_bench.py bench DIR BATCHES NEW [DTYPE [DEVICE]]
    DIR: a checkpoint in the Hugging Face layout, e.g. the one `cai bench --write-checkpoint DIR` writes (its
    bench.json names the model and sets the prompt length); greedy generate of NEW tokens (min_new_tokens = NEW, eos
    off) after the benchmark prompts of `cai bench` (row r, position i: 3 + (37 i + 101 r) mod (vocab - 3)), KV cache
    as transformers chooses (its default dynamic cache), default attention; DTYPE bfloat16 (default) or float32 or
    float16, DEVICE cuda (default) or cpu; one JSON line per batch size in BATCHES (e.g. 1,16,64) with the keys of
    `cai bench`'s generation lines: tokens/s, the runs' seconds, and the time to first token (median of 3
    generations of one token).
"""
import json
import os
import statistics
import sys
import time

import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def make(d):
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                      num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                      tie_word_embeddings=True, bos_token_id=1, eos_token_id=None, pad_token_id=0)
    LlamaForCausalLM(cfg).save_pretrained(d)


def bench(d, batches, new, dtype="bfloat16", device="cuda"):
    new = int(new)
    settings = {}
    if os.path.exists(os.path.join(d, "bench.json")):
        with open(os.path.join(d, "bench.json")) as f:
            settings = json.load(f)
    name = settings.get("model", os.path.basename(os.path.normpath(d)))
    prompt_length = settings.get("prompt_length", 32)
    dev = torch.device(device)
    m = AutoModelForCausalLM.from_pretrained(d, dtype=DTYPES[dtype]).to(dev).eval()
    m.generation_config.eos_token_id = None
    vocab = m.config.vocab_size

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)

    for batch in (int(b) for b in batches.split(",")):
        ids = torch.tensor([[3 + (i * 37 + r * 101) % (vocab - 3) for i in range(prompt_length)] for r in range(batch)], device=dev)

        def once(tokens):
            sync()
            t = time.perf_counter()
            with torch.no_grad():
                o = m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=tokens, min_new_tokens=tokens,
                               do_sample=False, pad_token_id=0)
            sync()
            return (o.shape[1] - ids.shape[1]) * o.shape[0], time.perf_counter() - t

        once(new)  # warm-up
        runs = [once(new) for _ in range(3)]
        first = [once(1)[1] for _ in range(3)]
        generated, seconds = sorted(runs, key=lambda r: r[1])[1]
        line = {"measurement": "generation", "implementation": "transformers", "model": name, "device": str(dev),
                "dtype": dtype, "threads": torch.get_num_threads(), "batch": batch, "prompt_tokens": prompt_length,
                "new_tokens": new, "generated_tokens": generated, "runs_seconds": [round(s, 6) for _, s in runs],
                "median_seconds": round(seconds, 6), "tokens_per_second": round(generated / seconds, 3),
                "time_to_first_token_seconds": round(statistics.median(first), 6), "torch": torch.__version__,
                "transformers": transformers.__version__}
        if dev.type == "cuda":
            line["gpu"] = torch.cuda.get_device_name(dev)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    {"make": make, "bench": bench}[sys.argv[1]](*sys.argv[2:])
