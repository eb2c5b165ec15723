"""`docker run --rm busybox true` against berthd and Debian's dockerd (same
docker CLI 28, same busybox image, both daemons private and without
networking), plus the private memory of berth-monitor processes.

The image comes from tests/fixtures/mkimage.py: berth-image-tool loads it
into berthd's data root before berthd starts, `docker load` gives it to
dockerd. Set ITERATIONS (default 20) and MONITORS (default 10)."""

import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import build_image, start_both  # noqa: E402


def smaps_rollup(pid):
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def monitor_memory(berthd, env, count):
    """Starts `count` sleeping containers and reads their monitors' memory."""
    ids = []
    for _ in range(count):
        out = subprocess.run(["docker", "run", "-d", "busybox", "sleep", "600"], env=env,
                             check=True, capture_output=True, text=True)
        ids.append(out.stdout.strip())
    pids = []
    for cid in ids:
        out = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", cid], env=env,
                             check=True, capture_output=True, text=True)
        init = int(out.stdout)
        with open("/proc/%d/stat" % init) as f:
            pids.append(int(f.read().rsplit(")", 1)[1].split()[1]))  # the init's parent = monitor
    rows = [smaps_rollup(p) for p in pids]
    subprocess.run(["docker", "rm", "-f", *ids], env=env, check=True, stdout=subprocess.DEVNULL)
    keys = ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Pss_Anon")
    return {k: statistics.median(r.get(k, 0) for r in rows) for k in keys}


def main():
    iterations = int(os.environ.get("ITERATIONS", "20"))
    monitors = int(os.environ.get("MONITORS", "10"))
    workdir = tempfile.mkdtemp(prefix="berth-bench-run-", dir="/tmp")
    archive = build_image(workdir)
    berthd, dockerd = start_both(archive)
    try:
        b_env = dict(os.environ, DOCKER_HOST=berthd.host)
        d_env = dict(os.environ, DOCKER_HOST=dockerd.host)
        cmd = ("docker", "run", "--rm", "busybox", "true")
        result = benchlib.compare(
            "daemon_run",
            benchlib.Contender("berthd", [("run", benchlib.sh(*cmd, env=b_env))]),
            benchlib.Contender("dockerd", [("run", benchlib.sh(*cmd, env=d_env))]),
            iterations=iterations, target_ratio=0.1,
            notes="docker CLI 28 `docker run --rm busybox true` (create, attach, wait, start, "
                  "exit, remove); both daemons without networking")
        mem = monitor_memory(berthd, b_env, monitors)
        print("  berth-monitor memory, median of %d (KiB): %s" % (
            monitors, ", ".join("%s %d" % kv for kv in mem.items())))
        result["monitor_memory_kib"] = mem
        result["monitors"] = monitors
        benchlib.save("daemon_run", result)
    finally:
        berthd.stop()
        dockerd.stop()
        subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
