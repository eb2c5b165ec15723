#!/usr/bin/env bash
# Lint: clang-format check and clang-tidy over berth's own sources.
# Usage: scripts/lint.sh [build-dir-with-compile_commands.json]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/debug}
files=$(git ls-files 'src/*.cpp' 'src/*.hpp' 'apps/*.cpp' 'apps/*.hpp')
status=0
echo "lint: clang-format"
clang-format --dry-run --Werror $files || status=1
echo "lint: clang-tidy"
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)
for f in $(git ls-files 'src/*.cpp' 'apps/*.cpp'); do
  "$tidy" -p "$build" --quiet "$f" 2>/dev/null | grep -E 'warning:|error:' && status=1
done
exit $status
