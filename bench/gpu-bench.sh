#!/usr/bin/env bash
# Issue 16's GPU benchmark as one command: `cai bench` on cuda (bfloat16 and float32) on the SmolLM-135M shape, the
# plain-PyTorch reference on the same weights (bench/reference_llama.py: it first checks cai's greedy tokens in
# float32 on the GPU, then times the same generation and SFT/DPO steps, bf16 under autocast), transformers' generate
# on the same checkpoint (bench/hf_bench.py), and the deep narrow model at batch 1 (cai and the reference, bf16).
#
#   bash bench/gpu-bench.sh OUTDIR
#
# Writes to OUTDIR (3 files, so it fits the device machine's $OUT): all.jsonl (every measurement, one JSON object per
# line: join on measurement, model, dtype, batch or step; "implementation" is cai, pytorch or transformers),
# log.txt (everything printed, with each tool's tables) and summary.txt (each step's exit status and seconds).
#
# cai: $CAI if set, else `cai` on PATH, else bundle/cai beside the repository root, else .gpu/bundle.tar.xz
# (build/pack-gpu.sh) unpacked into a temporary folder. python3 must import torch (2.x, CUDA) and transformers.
# Each step has its own time limit and all of them fit in CAI_BENCH_BUDGET seconds (default 270); steps are ordered
# by importance, and one that no longer fits is skipped and marked so in summary.txt.
# On the device machine, with .gpu/ from `bash build/pack-gpu.sh` carried:  bash bench/gpu-bench.sh "$OUT"
# A rehearsal on a machine without a GPU: CAI_BENCH_DEVICE=cpu CAI_BENCH_SMOKE=1 bash bench/gpu-bench.sh OUTDIR (tiny
# batches, 4 new tokens, one timed run, five times the time limits; PYTHON names the interpreter, default python3;
# the transformers step fails where transformers is missing).
set -u
out=${1:?usage: bash bench/gpu-bench.sh OUTDIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench/.." && pwd)
budget=${CAI_BENCH_BUDGET:-270}
start=$SECONDS
work=$(mktemp -d /tmp/cai-bench.XXXXXX)
exec > >(tee "$out/log.txt") 2>&1
: > "$out/all.jsonl"
: > "$out/summary.txt"

cai=${CAI:-}
if [ -z "$cai" ]; then
  if command -v cai >/dev/null; then cai=$(command -v cai)
  elif [ -x "$root/bundle/cai" ]; then cai=$root/bundle/cai
  elif [ -f "$root/.gpu/bundle.tar.xz" ]; then
    echo "== unpacking $root/.gpu/bundle.tar.xz"
    tar -C "$work" -xJf "$root/.gpu/bundle.tar.xz" && cai=$work/bundle/cai
  fi
fi
[ -n "$cai" ] && [ -x "$cai" ] || { echo "gpu-bench: no cai (set CAI, put it on PATH, or pack .gpu/ with build/pack-gpu.sh)"; exit 1; }
python=${PYTHON:-python3}
echo "== cai: $cai; $python: $("$python" -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA")' 2>&1)"

summary=$out/summary.txt step_dir=$work step_minimum=20
source "$root/build/budget-step.sh"
# measure NAME SECONDS JSONL COMMAND...: a step (build/budget-step.sh) with SECONDS times the scale, whose JSONL (a file
# the command writes, or - for the JSON lines it prints) is appended to all.jsonl.
measure() {
  local name=$1 limit=$2 jsonl=$3
  shift 3
  step "$name" $(( limit * scale )) "$@"
  if [ "$jsonl" = - ]; then grep '^{' "$work/$name.out" >> "$out/all.jsonl"
  elif [ -f "$jsonl" ]; then cat "$jsonl" >> "$out/all.jsonl"; fi
}

smol="$work/smollm-135m"
deep="$work/deep-narrow"
device=${CAI_BENCH_DEVICE:-cuda}
batches=1,16,64 new=128
shape=(--train-batch 16 --train-seq 512)
scale=1
if [ "${CAI_BENCH_SMOKE:-0}" = 1 ]; then batches=1,2 new=4 shape=(--train-batch 1 --train-seq 16 --runs 1 --threads 1) scale=5; fi
shape=(--batches "$batches" --new-tokens "$new" "${shape[@]}")
ref="$bench/reference_llama.py"

# The weights are written once (float32) by the first cai run; every later step reads them.
measure cai-bf16 70 "$work/cai-bf16.jsonl" "$cai" bench --preset smollm-135m --device "$device" --dtype bfloat16 "${shape[@]}" \
  --write-checkpoint "$smol" --output "$work/cai-bf16.jsonl"
measure pytorch-bf16 60 "$work/pytorch-bf16.jsonl" "$python" "$ref" --checkpoint "$smol" --device "$device" --dtype bfloat16 \
  --output "$work/pytorch-bf16.jsonl"
measure transformers-bf16 50 - "$python" "$bench/hf_bench.py" bench "$smol" "$batches" "$new" bfloat16 "$device"
measure cai-fp32 60 "$work/cai-fp32.jsonl" "$cai" bench --preset smollm-135m --device "$device" --dtype float32 "${shape[@]}" \
  --model "$smol" --output "$work/cai-fp32.jsonl"
measure pytorch-fp32 50 "$work/pytorch-fp32.jsonl" "$python" "$ref" --checkpoint "$smol" --device "$device" --dtype float32 \
  --output "$work/pytorch-fp32.jsonl"
measure cai-deep 30 "$work/cai-deep.jsonl" "$cai" bench --preset deep-narrow --device "$device" --dtype bfloat16 --training none \
  --new-tokens "$new" --write-checkpoint "$deep" --output "$work/cai-deep.jsonl"
measure pytorch-deep 30 "$work/pytorch-deep.jsonl" "$python" "$ref" --checkpoint "$deep" --device "$device" --dtype bfloat16 \
  --training none --output "$work/pytorch-deep.jsonl"

echo "== done in $(( SECONDS - start ))s"
cat "$out/summary.txt"
rm -rf "$work"
