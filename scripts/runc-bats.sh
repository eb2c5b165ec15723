#!/usr/bin/env bash
# scripts/runc-bats.sh SUITE RUNTIME OUTDIR [FILE.bats...]
#
# Runs runc's integration suite (SUITE = a runc source tree checked out
# outside this repository, with its test helpers already built) against
# RUNTIME (any runc-compatible binary), one TAP file per .bats file in
# OUTDIR. checkpoint.bats is skipped (no CRIU). The suite runs under
# script(1) so that it has a controlling terminal: runc's foreground
# `run` of a terminal:true spec opens /dev/tty, and without one every
# such test fails for runc and berth-runtime alike.
# The runtime is run through a symlink named `runc` in a temporary
# directory, as a drop-in is often installed: help, usage and version
# output name the program after argv[0], and some tests match "runc".
# Compare two OUTDIRs with scripts/runc-bats-compare.py.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 SUITE RUNTIME OUTDIR [FILE.bats...]" >&2; exit 2
fi
suite=$(cd "$1" && pwd); runtime=$(readlink -f "$2"); out=$(mkdir -p "$3" && cd "$3" && pwd)
shift 3
linkdir=$(mktemp -d /tmp/runc-bats.XXXXXX)
trap 'rm -rf "$linkdir"' EXIT
ln -s "$runtime" "$linkdir/runc"
cd "$suite/tests/integration"
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(ls ./*.bats | grep -v checkpoint); fi
for f in "${files[@]}"; do
  name=$(basename "$f" .bats)
  start=$(date +%s)
  RUNC="$linkdir/runc" script -qec "bats --tap $(printf %q "$f") > $(printf %q "$out/$name.tap") 2>&1" /dev/null \
    < /dev/null > /dev/null || true
  echo "$name: $(grep -c '^ok' "$out/$name.tap" || true) ok, $(grep -c '^not ok' "$out/$name.tap" || true) not ok ($(( $(date +%s) - start ))s)"
done
