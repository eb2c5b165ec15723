#!/usr/bin/env bash
# Fresh Debian 12 machine (root) to a running berth container in one
# command: installs the dependencies, builds berth (release), makes the
# embedded default image (busybox, from Debian's busybox-static) into an OCI
# bundle and runs a container from it with berth-runtime.
# Usage: scripts/quickstart.sh [command...]   (default: echo a greeting)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"

runtime=$PWD/build/release/apps/berth-runtime/berth-runtime
bundle=$PWD/build/release/quickstart-bundle
rm -rf "$bundle" && mkdir -p "$bundle"
/usr/bin/python3 tests/fixtures/mkimage.py busybox --rootfs "$bundle/rootfs" >/dev/null
(cd "$bundle" && "$runtime" spec)
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(sh -c 'echo "hello from berth: $(uname -n), pid $$, $(ls /bin | wc -l) applets"')
/usr/bin/python3 - "$bundle/config.json" "${args[@]}" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
cfg = json.load(open(path))
cfg["process"]["terminal"] = False
cfg["process"]["args"] = args
json.dump(cfg, open(path, "w"), indent=2)
PY
exec "$runtime" run --bundle "$bundle" "quickstart-$$"
