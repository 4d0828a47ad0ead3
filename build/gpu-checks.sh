#!/usr/bin/env bash
# The GPU checks, as one command on the GPU machine (from the repository root, with .gpu/ from build/pack-gpu.sh):
#   bash .gpu/gpu-checks.sh
# Unpacks the bundle into a NEW folder every time (a warm machine never runs a stale build), then runs, most important
# first, each step under its own timeout and all within CAI_GPU_BUDGET seconds (default 560, for a 10-minute call):
#   1 doctor      cai doctor, no CAI_LIBTORCH: CUDA must come from the installed PyTorch           -> doctor.txt
#   2 tests       the CUDA test executable, every test                                           -> tests.trx
#   3 quickstart  cai run of recipes/quickstart.yaml with device: cuda                           -> quickstart-report.md, quickstart-run.json
#   4 bench       cai bench on cuda (generation and training step), bf16 then fp32             -> bench.txt
#   5 hf-bench    transformers' generate, bf16, batch 1/16/64, median of 3 (bench/hf_bench.py)    -> hf-bench.txt (JSON lines)
# Everything printed also goes to log.txt; summary.txt has each step's exit code and seconds. The files go to $OUT
# (at most 8: the ones named here), or to .gpu/out where $OUT is unset.
set -u
start=$SECONDS
budget=${CAI_GPU_BUDGET:-560}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$here/out}
export OUT
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1

rm -rf /tmp/cai-gpu.* # earlier runs of this script on a warm machine: never reused
work=$(mktemp -d /tmp/cai-gpu.XXXXXX)
echo "== unpacking $(cat "$here/commit" 2>/dev/null || echo '?') into $work"
tar -C "$work" -xJf "$here/bundle.tar.xz" && tar -C "$work" -xJf "$here/project.tar.xz" || { echo "unpacking failed"; exit 1; }
export PATH="$work/bundle:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset CAI_LIBTORCH # the point of the doctor step: CUDA through the installed PyTorch, no variable
cd "$work"
: > "$OUT/summary.txt"

summary=$OUT/summary.txt step_dir=$work/steps
mkdir -p "$step_dir"
source "$here/budget-step.sh"
# keep STEP FILE: a step's output as $OUT/FILE.
keep() { cp "$step_dir/$1.out" "$OUT/$2" 2>/dev/null; }

step doctor 90 cai doctor; keep doctor doctor.txt

step tests 200 bundle/Cai.Gpu.Tests -noColor -result-trx "$OUT/tests.trx"

quickstart() {
  printf 'extends: quickstart.yaml\nname: quickstart-cuda\ndevice: cuda\n' > recipes/quickstart-cuda.yaml
  cai run recipes/quickstart-cuda.yaml --runs runs --quiet
  local rc=$? run
  run=$(ls -d runs/quickstart-cuda/*/ 2>/dev/null | head -n 1)
  if [ -n "$run" ]; then
    cp "$run/report.md" "$OUT/quickstart-report.md" 2>/dev/null
    cp "$run/run.json" "$OUT/quickstart-run.json" 2>/dev/null
    ls "$run"
  fi
  return $rc
}
export -f quickstart
step quickstart 240 bash -c quickstart

# `cai bench` on cuda with its defaults (SmolLM-135M shape, batches 1/16/64, SFT and DPO steps), bf16 then fp32. The
# comparison with the references on the same weights is bench/gpu-bench.sh, a run of its own (docs/PERFORMANCE.md).
bench() {
  cai bench --device cuda --dtype bfloat16 && cai bench --device cuda --dtype float32
}
export -f bench
step bench 90 bash -c bench; keep bench bench.txt

hf_bench() {
  python3 bench/hf_bench.py make hf-smol && python3 bench/hf_bench.py bench hf-smol 1,16,64 128
}
export -f hf_bench
step hf-bench 120 bash -c hf_bench; keep hf-bench hf-bench.txt

echo "== done in $(( SECONDS - start ))s; files in $OUT:"
cat "$OUT/summary.txt"
ls -l "$OUT"
