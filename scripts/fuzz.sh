#!/usr/bin/env bash
# Runs every libFuzzer target (or the ones named) for a while and merges
# what it finds into its corpus in tests/fuzz/corpus/<name>/ (minimised).
# Usage: scripts/fuzz.sh [-t seconds] [name...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=60
if [ "${1:-}" = "-t" ]; then secs=$2; shift 2; fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in tests/fuzz/*.cpp; do
    b=$(basename "$f" .cpp); [ "$b" = replay_main ] || names+=("$b"); done
fi
for name in "${names[@]}"; do
  bin=build/fuzz/tests/fuzz/fuzz_$name corpus=tests/fuzz/corpus/$name
  mkdir -p "$corpus"
  work=$(mktemp -d)
  echo "=== fuzz_$name for ${secs}s"
  "$bin" -max_total_time="$secs" -print_final_stats=1 "$work" "$corpus" 2>&1 | tail -4
  merged=$(mktemp -d)
  "$bin" -merge=1 "$merged" "$corpus" "$work" >/dev/null 2>&1
  rm -rf "$corpus" && mv "$merged" "$corpus" && chmod 755 "$corpus"
  rm -rf "$work"
  echo "    corpus: $(ls "$corpus" | wc -l) inputs"
done
