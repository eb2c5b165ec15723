"""What networking adds to `docker run --rm busybox true` through berthd:
the default bridge network (veth, address, route, hosts/resolv.conf) vs
`--network none` (a namespace with lo only), same berthd, alternating.

berthd runs in a network namespace of its own (no host state touched) with
debug logging; the per-container breakdown comes from its
"container network attached" lines (net::SetupTimings plus the engine's
file writes). Set ITERATIONS (default 30). The issue's target: networking
adds <= 5 ms."""

import os
import re
import statistics
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import Berthd, build_image, preload  # noqa: E402

FIELDS = ("attach_us", "connect_us", "netns_us", "ipam_us", "veth_us", "inside_us", "nft_us",
          "dns_us")


def breakdown(log_path):
    rows, releases = [], []
    with open(log_path) as f:
        for line in f:
            if "container network attached" in line:
                rows.append({k: int(v) for k, v in re.findall(r"(\w+_us)=(\d+)", line)})
            elif "container network released" in line:
                releases.extend(int(v) for v in re.findall(r"release_us=(\d+)", line))
    out = {k: statistics.median(r[k] for r in rows) for k in FIELDS if rows}
    if releases:
        out["release_us"] = statistics.median(releases)
    return out, len(rows)


def main():
    iterations = int(os.environ.get("ITERATIONS", "30"))
    netns = "berth-bench-" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", netns], check=True)
    subprocess.run(["ip", "-n", netns, "link", "set", "lo", "up"], check=True)
    berthd = Berthd(netns=netns, extra_args=["--log-level", "debug"])
    try:
        archive = build_image(berthd.dir)
        preload(berthd, archive)
        berthd.start()
        env = dict(os.environ, DOCKER_HOST=berthd.host)
        bridge = benchlib.Contender("bridge", [
            ("run", benchlib.sh("docker", "run", "--rm", "busybox", "true", env=env))])
        none = benchlib.Contender("none", [
            ("run", benchlib.sh("docker", "run", "--rm", "--network", "none", "busybox", "true",
                                env=env))])
        result = benchlib.compare("net_run", bridge, none, iterations=iterations, warmup=3,
                                  notes="docker run --rm busybox true through berthd: default "
                                        "bridge vs --network none")
        added = (result["contenders"]["bridge"]["total"]["median_ms"]
                 - result["contenders"]["none"]["total"]["median_ms"])
        print("  added by networking (difference of medians): %.2f ms (target <= 5 ms)" % added)
        parts, n = breakdown(os.path.join(berthd.dir, "log"))
        print("  inside berthd, median of %d attaches (us): %s" % (
            n, ", ".join("%s %d" % (k[:-3], v) for k, v in parts.items())))
        result["added_ms"] = added
        result["breakdown_us"] = parts
        benchlib.save("net_run", result)
    finally:
        berthd.stop()
        subprocess.run(["ip", "netns", "del", netns])


if __name__ == "__main__":
    main()
