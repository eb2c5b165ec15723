"""berth-runtime vs runc: `run` of /bin/true in a busybox bundle made by
`berth-runtime spec` (terminal off), and create/start/delete separately.

Both runtimes get the same bundle and their own state roots; runs
alternate (benchlib). Target: berth <= 0.2x runc for `run`.
Usage: bench/run runtime_run [--iterations N] [--berth PATH] [--runc PATH]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def default_berth():
    for preset in ("release", "debug"):
        path = os.path.join(HERE, "..", "build", preset, "apps", "berth-runtime", "berth-runtime")
        if os.path.exists(path):
            return os.path.abspath(path)
    return "berth-runtime"


def make_bundle(berth, base):
    bundle = os.path.join(base, "bundle")
    rootfs = os.path.join(bundle, "rootfs")
    for d in ("bin", "etc", "proc", "sys", "dev", "tmp"):
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    shutil.copy2("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True).stdout.split()
    for a in applets:
        if a != "busybox":
            os.symlink("busybox", os.path.join(rootfs, "bin", a))
    with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(rootfs, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")
    subprocess.run([berth, "spec", "--bundle", bundle], check=True)
    path = os.path.join(bundle, "config.json")
    with open(path) as f:
        config = json.load(f)
    config["process"]["terminal"] = False
    config["process"]["args"] = ["/bin/true"]
    with open(path, "w") as f:
        json.dump(config, f)
    return bundle


def contender(name, binary, root, bundle, phases, cpu):
    counter = [0]

    def cid():
        return "bench-%d" % counter[0]

    def next_id():
        counter[0] += 1

    def step(*args):
        # No pipes: a created container's init inherits the runtime's
        # stdio and would hold a pipe open until it is started.
        def run():
            cmd = [binary, "--root", root] + [a if a != "{id}" else cid() for a in args]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.setdefault(args[0], []).append(
                (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3)
            if rc != 0:
                raise RuntimeError("%s failed (%d)" % (" ".join(cmd), rc))
        return run

    if phases == "run":
        steps = [("run", step("run", "--bundle", bundle, "{id}"))]
    else:
        steps = [("create", step("create", "--bundle", bundle, "{id}")),
                 ("start", step("start", "{id}")),
                 ("delete", step("delete", "--force", "{id}"))]

    def cleanup():
        subprocess.run([binary, "--root", root, "delete", "--force", cid()],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return benchlib.Contender(name, steps, setup=next_id, teardown=cleanup)


def report_cpu(berth_cpu, runc_cpu, iterations):
    # CPU time (user + sys of the runtime and the children it reaped) does
    # not depend on how busy the machine is the way wall time does.
    for step in berth_cpu:
        b = statistics.median(berth_cpu[step][-iterations:])
        r = statistics.median(runc_cpu[step][-iterations:])
        print("  cpu %-8s %10.2f ms %11.2f ms %8.3f" % (step, b, r, b / r if r else 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--berth", default=default_berth())
    ap.add_argument("--runc", default=shutil.which("runc") or "/usr/sbin/runc")
    args = ap.parse_args()
    # State roots under /run, where both runtimes keep them by default.
    base = tempfile.mkdtemp(prefix="berth-bench-runtime-", dir="/run")
    try:
        bundle = make_bundle(args.berth, base)
        notes = "berth=%s runc=%s; busybox bundle from `berth-runtime spec`, /bin/true, terminal off" % (
            args.berth, args.runc)
        for phases, name in (("run", "runtime_run"), ("lifecycle", "runtime_lifecycle")):
            berth_cpu, runc_cpu = {}, {}
            berth = contender("berth-runtime", args.berth, os.path.join(base, "berth-" + phases), bundle,
                              phases, berth_cpu)
            runc = contender("runc", args.runc, os.path.join(base, "runc-" + phases), bundle, phases, runc_cpu)
            benchlib.compare(name, berth, runc, iterations=args.iterations,
                             target_ratio=0.2 if phases == "run" else None, notes=notes)
            report_cpu(berth_cpu, runc_cpu, args.iterations)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
