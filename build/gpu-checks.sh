#!/usr/bin/env bash
# The GPU checks, as one command on the GPU machine (from the repository root, with .gpu/ from build/pack-gpu.sh):
#   bash .gpu/gpu-checks.sh
# Unpacks the bundle into a NEW folder every time (a warm machine never runs a stale build), then runs, most important
# first, each step under its own timeout and all within CAI_GPU_BUDGET seconds (default 560, for a 10-minute call):
#   1 doctor      cai doctor, no CAI_LIBTORCH: CUDA must come from the installed PyTorch           -> doctor.txt
#   2 tests       the CUDA test executable, every test                                           -> tests.trx
#   3 quickstart  cai run of recipes/quickstart.yaml with device: cuda                           -> quickstart-report.md, quickstart-run.json
#   4 bench       cai bench on cuda (generation and training step) when the tool has it (issue 16) -> bench.txt
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

# step NAME SECONDS OUTFILE|- COMMAND...: runs COMMAND under the smaller of SECONDS and the time left, its output also
# in $OUT/OUTFILE.
step() {
  local name=$1 limit=$2 file=$3 left rc t0
  shift 3
  left=$(( budget - (SECONDS - start) ))
  (( left < limit )) && limit=$left
  if (( limit < 15 )); then
    echo "== $name: not run, out of time"
    printf '%-11s not run (out of time)\n' "$name" >> "$OUT/summary.txt"
    return
  fi
  echo "== $name (at most ${limit}s): $*"
  t0=$SECONDS
  if [ "$file" = - ]; then timeout -k 10 "$limit" "$@"; rc=$?
  else timeout -k 10 "$limit" "$@" 2>&1 | tee "$OUT/$file"; rc=${PIPESTATUS[0]}; fi
  (( rc == 124 || rc == 137 )) && echo "== $name: TIMED OUT after ${limit}s"
  echo "== $name: exit $rc in $(( SECONDS - t0 ))s"
  printf '%-11s exit %-4s %5ss\n' "$name" "$rc" "$(( SECONDS - t0 ))" >> "$OUT/summary.txt"
}

step doctor 90 doctor.txt cai doctor

step tests 200 - bundle/Cai.Gpu.Tests -noColor -result-trx "$OUT/tests.trx"

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
step quickstart 240 - bash -c quickstart

# `cai bench` on cuda with its defaults (SmolLM-135M shape, batches 1/16/64, SFT and DPO steps), bf16 then fp32. The
# comparison with the references on the same weights is bench/gpu-bench.sh, a run of its own (docs/PERFORMANCE.md).
bench() {
  if cai --help 2>/dev/null | grep -qE '^\s+bench\b'; then
    cai bench --device cuda --dtype bfloat16 && cai bench --device cuda --dtype float32
  else
    echo "HOOK: this cai has no 'bench' command yet (issue 16); nothing to run"
  fi
}
export -f bench
step bench 90 bench.txt bash -c bench

hf_bench() {
  python3 bench/hf_bench.py make hf-smol && python3 bench/hf_bench.py bench hf-smol 1,16,64 128
}
export -f hf_bench
step hf-bench 120 hf-bench.txt bash -c hf_bench

echo "== done in $(( SECONDS - start ))s; files in $OUT:"
cat "$OUT/summary.txt"
ls -l "$OUT"
