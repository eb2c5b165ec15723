"""Idle resident memory of berthd vs Debian's dockerd (plus the containerd
dockerd starts), right after start-up and after serving a burst of API
requests. Target: berthd <= 20 MiB."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import Berthd, Dockerd  # noqa: E402


def measure(daemon):
    time.sleep(2)
    idle = daemon.rss_kib()
    env = dict(os.environ, DOCKER_HOST=daemon.host)
    for _ in range(20):
        subprocess.run(["docker", "info"], env=env, stdout=subprocess.DEVNULL, check=True)
    time.sleep(1)
    after = daemon.rss_kib()
    helpers = sum(daemon.rss_kib(pid) for pid in daemon.children())
    return {"idle_kib": idle, "after_requests_kib": after, "children_kib": helpers}


def main():
    results = {}
    for cls in (Berthd, Dockerd):
        d = cls().start()
        try:
            results[d.name] = measure(d)
        finally:
            d.stop()
    for name, r in results.items():
        print("  %-8s idle %7.1f MiB   after 20x docker info %7.1f MiB   children %7.1f MiB" % (
            name, r["idle_kib"] / 1024, r["after_requests_kib"] / 1024, r["children_kib"] / 1024))
    b, d = results["berthd"], results["dockerd"]
    ratio = b["after_requests_kib"] / (d["after_requests_kib"] + d["children_kib"])
    print("  berthd/dockerd(+containerd) after requests: %.3f (berthd target <= 20 MiB: %s)" % (
        ratio, "met" if b["after_requests_kib"] <= 20 * 1024 else "NOT met"))
    benchlib.save("api_idle_rss", {
        "benchmark": "api_idle_rss",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results, "ratio": ratio, "target_berthd_kib": 20 * 1024})


if __name__ == "__main__":
    main()
