# Sourced by build/gpu-checks.sh and bench/gpu-bench.sh: steps that share one time budget on the GPU machine.
# The caller sets start (its $SECONDS at the start), budget (seconds for all steps), summary (a file) and step_dir (a
# folder for each step's output); step_minimum (default 15) is the fewest seconds worth starting a step with.

# step NAME SECONDS COMMAND...: runs COMMAND under the smaller of SECONDS and the budget left, its stdout and stderr in
# $step_dir/NAME.out (printed afterwards), and appends its exit status and seconds to $summary. A step that no longer
# fits is not run (exit 125) and marked so. Returns COMMAND's exit status.
step() {
  local name=$1 limit=$2 left rc t0
  shift 2
  left=$(( budget - (SECONDS - start) ))
  (( left < limit )) && limit=$left
  if (( limit < ${step_minimum:-15} )); then
    echo "== $name: not run, out of time"
    printf '%-17s not run (out of time)\n' "$name" >> "$summary"
    return 125
  fi
  echo "== $name (at most ${limit}s): $*"
  t0=$SECONDS
  timeout -k 10 "$limit" "$@" > "$step_dir/$name.out" 2>&1
  rc=$?
  cat "$step_dir/$name.out"
  (( rc == 124 || rc == 137 )) && echo "== $name: TIMED OUT after ${limit}s"
  echo "== $name: exit $rc in $(( SECONDS - t0 ))s"
  printf '%-17s exit %-4s %5ss\n' "$name" "$rc" "$(( SECONDS - t0 ))" >> "$summary"
  return $rc
}
