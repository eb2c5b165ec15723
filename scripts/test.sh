#!/usr/bin/env bash
# Installs what berth needs, builds it with both compilers, and runs every
# test: unit, integration (root, real kernel), fuzz-corpus replays and
# end-to-end tests with real clients (g++ debug build), then the unit,
# integration and fuzz suites again under ASan+UBSan (clang 14 build).
# Usage: scripts/test.sh [--quick]   (--quick: g++ build only)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = "--quick" ] && quick=1
jobs=${BERTH_JOBS:-$(nproc)}

scripts/install-deps.sh
status=0
summary=()

run_suite() {  # preset, label regex
  local preset=$1 labels=$2
  echo "=== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== ${preset}: ctest -L '${labels}'"
  local log; log=$(mktemp)
  if ctest --preset "$preset" -L "$labels" -j 1 --timeout 600 2>&1 | tee "$log"; then :; else status=1; fi
  summary+=("${preset}: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  rm -f "$log"
}

run_suite debug 'unit|integration|fuzz|e2e'
if [ $quick = 0 ]; then
  run_suite asan 'unit|integration|fuzz'
fi

echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
