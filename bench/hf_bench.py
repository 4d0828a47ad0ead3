"""Hugging Face transformers generation throughput on a CUDA machine: the reference cai's generation is compared with.
Timed like cai's benchmark: one warm-up, then the median of 3 runs in the same process.
python3 bench/hf_bench.py make DIR                  -> a random SmolLM-135M-shaped Llama checkpoint (save_pretrained)
python3 bench/hf_bench.py bench DIR BATCHES NEW     -> greedy generate of NEW tokens after a 32-token prompt, KV cache,
                                                       bf16, cuda, for each batch size in BATCHES (e.g. 1,16,64):
                                                       one JSON line per batch size
"""
import json, statistics, sys, time
import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM


def make(d):
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                      num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                      tie_word_embeddings=True, bos_token_id=1, eos_token_id=None, pad_token_id=0)
    LlamaForCausalLM(cfg).save_pretrained(d)


def bench(d, batches, new):
    new = int(new)
    m = AutoModelForCausalLM.from_pretrained(d, dtype=torch.bfloat16).cuda().eval()
    m.generation_config.eos_token_id = None
    for batch in (int(b) for b in batches.split(",")):
        ids = torch.tensor([[3 + (i * 37) % 4000 for i in range(32)]] * batch, device="cuda")

        def once():
            torch.cuda.synchronize()
            t = time.perf_counter()
            with torch.no_grad():
                o = m.generate(ids, max_new_tokens=new, min_new_tokens=new, do_sample=False, pad_token_id=0)
            torch.cuda.synchronize()
            return (o.shape[1] - ids.shape[1]) * o.shape[0], time.perf_counter() - t

        once()  # warm-up
        runs = [once() for _ in range(3)]
        seconds = statistics.median(s for _, s in runs)
        print(json.dumps({"batch": batch, "new_tokens": new, "generated_tokens": runs[0][0], "median_seconds": seconds,
                          "tokens_per_second": runs[0][0] / seconds, "runs_seconds": [s for _, s in runs],
                          "torch": torch.__version__, "transformers": transformers.__version__,
                          "gpu": torch.cuda.get_device_name(0)}), flush=True)


if __name__ == "__main__":
    {"make": make, "bench": bench}[sys.argv[1]](*sys.argv[2:])
