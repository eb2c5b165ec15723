"""Writes cmake/layout/berth-runtime.order: berth-runtime's functions in
the order a container's life first runs them, for lld's
--symbol-ordering-file (see cmake/BerthStatic.cmake).

Each operation runs under steptrace (steptrace.c, built here with gcc),
which single-steps the runtime and the init it forks until the init execs
the container's process. The addresses are mapped to symbols with nm.
Slow (about a minute per operation) and a development step only: rerun it
after large changes to the runtime's code path, with a release build.

Usage: bench/layout/make_order.py [--berth PATH] [--out PATH]
"""

import argparse
import bisect
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import runtime_run  # noqa: E402  (its busybox bundle)

# The operations whose code goes first, most frequent first.
OPERATIONS = [
    ["run", "--bundle", "{bundle}", "o1"],
    ["create", "--bundle", "{sleeper}", "o2"],
    ["state", "o2"],
    ["start", "o2"],
    ["kill", "o2", "KILL"],
    ["delete", "--force", "o2"],
]


def sleeper_bundle(bundle, base):
    """The same rootfs with a process that lives until it is killed."""
    path = os.path.join(base, "sleeper")
    os.makedirs(path)
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    config["root"]["path"] = os.path.join(bundle, "rootfs")
    config["process"]["args"] = ["/bin/sleep", "60"]
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f)
    return path


def text_range(binary):
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "LOAD" and "E" in parts[6:-1]:
            start = int(parts[2], 16)
            return start, start + int(parts[5], 16)
    raise RuntimeError("no executable segment in " + binary)


def symbols(binary):
    out = subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def order_of(addresses, syms):
    starts = [a for a, _ in syms]
    names, seen = [], set()
    for addr in addresses:
        i = bisect.bisect_right(starts, addr) - 1
        if i < 0:
            continue
        j = i
        while j >= 0 and starts[j] == starts[i]:  # aliases share the address
            if syms[j][1] not in seen:
                seen.add(syms[j][1])
                names.append(syms[j][1])
            j -= 1
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--berth", default=os.path.join(ROOT, "build", "release", "apps", "berth-runtime",
                                                    "berth-runtime"))
    ap.add_argument("--out", default=os.path.join(ROOT, "cmake", "layout", "berth-runtime.order"))
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="berth-layout-", dir="/run")
    try:
        tracer = os.path.join(base, "steptrace")
        subprocess.run(["gcc", "-O2", "-o", tracer, os.path.join(HERE, "steptrace.c")], check=True)
        bundle = runtime_run.make_bundle(args.berth, base)
        sleeper = sleeper_bundle(bundle, base)
        lo, hi = text_range(args.berth)
        addresses = []
        for op in OPERATIONS:
            trace = os.path.join(base, "trace.txt")
            cmd = [tracer, "%x" % lo, "%x" % hi, trace, "--", args.berth, "--root", os.path.join(base, "state")]
            subprocess.run(cmd + [a.replace("{bundle}", bundle).replace("{sleeper}", sleeper) for a in op], check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            with open(trace) as f:
                addresses += [int(line, 16) for line in f]
        names = order_of(addresses, symbols(args.berth))
        with open(args.out, "w") as f:
            f.write("\n".join(names) + "\n")
        print("wrote %s: %d functions" % (args.out, len(names)))
    finally:
        subprocess.run([args.berth, "--root", os.path.join(base, "state"), "delete", "--force", "o2"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
