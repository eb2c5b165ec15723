"""Many containers: `docker run -d` of 100 containers and `docker ps -a`
with 100 and 1,000 containers, berthd against Debian's dockerd in one run
(same docker CLI 28, same busybox image, both daemons private and
without networking). Target: `docker ps -a` with 1,000 containers
<= 100 ms on berthd.

Steps, alternating between the daemons (benchlib.compare):
  run100   100 sequential `docker run -d busybox sleep 600`, one sample
           per batch (ms per batch; divide by 100 for one run)
  ps100    `docker ps -a` with those 100 (running) containers
  ps1000   `docker ps -a` with 1,000 containers: the 100 running ones
           plus 900 created through the API (POST /containers/create,
           four at a time, untimed) to keep the run short
and GET /containers/json?all=1 on a kept-alive socket with the 1,000
(the daemon's share without the CLI's start-up).
Set RUNS (batches of 100 runs, default 2; 0 skips run100) and PS (ps samples, default 15)."""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import build_image, start_both  # noqa: E402


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def api_create(sock_path, count, label):
    """Creates `count` containers through the API, four connections at once."""
    errors = []

    def worker(n):
        conn = UnixConnection(sock_path)
        body = json.dumps({"Image": "busybox", "Cmd": ["true"], "Labels": {label: "1"}})
        for _ in range(n):
            conn.request("POST", "/v1.41/containers/create", body,
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 201:
                errors.append(data)
        conn.close()

    threads = [threading.Thread(target=worker, args=(count // 4 + (1 if i < count % 4 else 0),))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError("create failed: %r" % errors[:3])


def api_list_ms(sock_path, samples=30):
    """Median of GET /containers/json?all=1 on one kept-alive connection:
    the daemon's share of `docker ps -a` without the CLI's start-up."""
    conn = UnixConnection(sock_path)
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        conn.request("GET", "/v1.41/containers/json?all=1")
        resp = conn.getresponse()
        resp.read()
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return statistics.median(times)


def docker(env, *args):
    return subprocess.run(["docker", *args], env=env, check=True, capture_output=True, text=True)


def remove_labelled(env, label):
    ids = docker(env, "ps", "-aq", "--filter", "label=" + label).stdout.split()
    for i in range(0, len(ids), 100):
        docker(env, "rm", "-f", *ids[i:i + 100])


def run100(env):
    def step():
        for _ in range(100):
            docker(env, "run", "-d", "--label", "bench.run=1", "busybox", "sleep", "600")
    return step


def main():
    runs = int(os.environ.get("RUNS", "2"))
    ps_samples = int(os.environ.get("PS", "15"))
    workdir = tempfile.mkdtemp(prefix="berth-bench-ps-", dir="/tmp")
    archive = build_image(workdir)
    berthd, dockerd = start_both(archive)
    envs = {"berthd": dict(os.environ, DOCKER_HOST=berthd.host),
            "dockerd": dict(os.environ, DOCKER_HOST=dockerd.host)}
    socks = {"berthd": berthd.socket, "dockerd": dockerd.socket}
    try:
        results = {}
        if runs > 0:
            results["run100"] = benchlib.compare(
                "daemon_ps_run100",
                benchlib.Contender("berthd", [("run100", run100(envs["berthd"]))],
                                   teardown=lambda: remove_labelled(envs["berthd"], "bench.run")),
                benchlib.Contender("dockerd", [("run100", run100(envs["dockerd"]))],
                                   teardown=lambda: remove_labelled(envs["dockerd"], "bench.run")),
                iterations=runs, warmup=0,
                notes="100 sequential `docker run -d busybox sleep 600` per sample")
        for name in ("berthd", "dockerd"):  # the 100 running containers ps lists
            run100(envs[name])()
        ps = ("docker", "ps", "-a")
        results["ps100"] = benchlib.compare(
            "daemon_ps_100",
            benchlib.Contender("berthd", [("ps", benchlib.sh(*ps, env=envs["berthd"]))]),
            benchlib.Contender("dockerd", [("ps", benchlib.sh(*ps, env=envs["dockerd"]))]),
            iterations=ps_samples, notes="`docker ps -a` with 100 running containers")
        for name in ("berthd", "dockerd"):
            api_create(socks[name], 900, "bench.created")
        results["ps1000"] = benchlib.compare(
            "daemon_ps_1000",
            benchlib.Contender("berthd", [("ps", benchlib.sh(*ps, env=envs["berthd"]))]),
            benchlib.Contender("dockerd", [("ps", benchlib.sh(*ps, env=envs["dockerd"]))]),
            iterations=ps_samples, target_ratio=None,
            notes="`docker ps -a` with 1,000 containers (100 running, 900 created)")
        raw = {name: api_list_ms(socks[name]) for name in ("berthd", "dockerd")}
        print("  GET /containers/json?all=1 with 1,000 containers, kept-alive socket, median: "
              "berthd %.1f ms, dockerd %.1f ms, ratio %.3f" % (
                  raw["berthd"], raw["dockerd"], raw["berthd"] / raw["dockerd"]))
        results["api_list_1000_ms"] = raw
        b1000 = results["ps1000"]["contenders"]["berthd"]["total"]["median_ms"]
        print("  berthd ps -a with 1,000 containers: %.1f ms (target <= 100 ms: %s)" % (
            b1000, "met" if b1000 <= 100 else "NOT met"))
        print("  berthd idle RSS with 1,000 containers: %.1f MiB" % (berthd.rss_kib() / 1024))
        benchlib.save("daemon_ps", {k: v for k, v in results.items()})
    finally:
        for name in ("berthd", "dockerd"):
            for label in ("bench.run", "bench.created"):
                try:
                    remove_labelled(envs[name], label)
                except subprocess.CalledProcessError:
                    pass
        berthd.stop()
        dockerd.stop()
        subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
