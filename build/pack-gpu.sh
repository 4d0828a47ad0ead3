#!/usr/bin/env bash
# Packs what the GPU machine runs into .gpu/ (git-ignored), as compressed archives under 60 MiB in all:
#   bundle.tar.xz   one self-contained linux-x64 folder holding the cai tool and the CUDA test executable
#                   (Cai.Gpu.Tests), published into one folder so the .NET runtime and the shared assemblies are stored
#                   once; without libtorch (the GPU machine's PyTorch provides a CUDA one, found
#                   by Cai.Models.LibTorch); libLibTorchSharp.so patched as every build patches it
#   project.tar.xz  models/, recipes/ and bench/*.py
#   gpu-checks.sh   the entry point there (build/gpu-checks.sh)
# Usage, from anywhere in the repository:  bash build/pack-gpu.sh
# Then on the GPU machine, from the repository root with .gpu/ carried along:  bash .gpu/gpu-checks.sh  (docs/gpu.md)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
limit_mib=60
out="$root/.gpu"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

publish() { # project, folder
  echo "publishing $1"
  dotnet publish "$1" -c Release -r linux-x64 --self-contained -p:CaiBundledLibTorch=false -o "$work/$2" >"$work/$2.log" 2>&1 \
    || { tail -30 "$work/$2.log"; echo "pack-gpu: dotnet publish $1 failed (log above)" >&2; exit 1; }
}
publish src/Cai.Cli bundle
publish tests/Cai.Gpu.Tests tests
# The benchmark is `cai bench`, in the tool; bench/gpu-bench.sh runs it beside its references (issue 16).

# Built-in plugins: the tool's copies (its build of each plugin, in plugins/<Name>/). A linux-x64/ folder under one is
# another build's output that the tool's glob picked up (the test project builds the plugin for linux-x64): dropped.
rm -rf "$work"/bundle/plugins/*/linux-x64 "$work/tests/plugins"

# One folder: a file both apps carry must be the same file, else one app would run with the other's copy.
for app in tests; do
  (cd "$work/$app" && find . -type f) | while read -r f; do
    if [ -f "$work/bundle/$f" ] && ! cmp -s "$work/bundle/$f" "$work/$app/$f"; then
      case "$f" in ./*.pdb|./*.xml) ;; *) echo "pack-gpu: $f differs between the tool and $app" >&2; exit 1 ;; esac
    fi
  done
  cp -a "$work/$app/." "$work/bundle/"
done

cd "$work/bundle"
rm -f ./*.pdb ./*.xml
for p in Cai.Plugins.Feedback Cai.Plugins.Training; do
  [ -f "plugins/$p/$p.dll" ] || { echo "pack-gpu: plugins/$p/$p.dll missing from the bundle" >&2; exit 1; }
done
if find . -name 'libtorch*.so*' -o -name 'libc10*.so*' | grep -q .; then
  echo "pack-gpu: libtorch found in the bundle (CaiBundledLibTorch=false should leave it out):" >&2
  find . -name 'libtorch*.so*' -o -name 'libc10*.so*' >&2
  exit 1
fi
for app in cai Cai.Gpu.Tests; do [ -x "$app" ] || { echo "pack-gpu: $app missing from the bundle" >&2; exit 1; }; done
[ -f libLibTorchSharp.so ] || { echo "pack-gpu: libLibTorchSharp.so missing from the bundle" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
echo "compressing"
tar -C "$work" -cf - bundle | xz -9 -T0 > "$out/bundle.tar.xz"
tar -C "$root" -cf - models recipes $(cd "$root" && ls bench/*.py) | xz -9 -T0 > "$out/project.tar.xz"
cp "$root/build/gpu-checks.sh" "$root/build/budget-step.sh" "$out/"
git -C "$root" rev-parse --short HEAD > "$out/commit" 2>/dev/null || true

bytes=$(cat "$out"/* | wc -c)
mib=$(( (bytes + 1048575) / 1048576 ))
ls -l "$out"
echo "pack-gpu: .gpu/ is $bytes bytes (${mib} MiB; at most ${limit_mib})"
if [ "$bytes" -gt $(( limit_mib * 1048576 )) ]; then
  echo "pack-gpu: over ${limit_mib} MiB: the GPU machine takes at most 64 MiB per call" >&2
  exit 1
fi
