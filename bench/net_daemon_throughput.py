"""Published-port throughput through the daemons: berthd (nftables DNAT,
the kernel forwards) vs Debian's dockerd (docker-proxy, the userspace
proxy that carries loopback clients by default), both run in one network
namespace created here, each publishing one container's port 80 on
127.0.0.1; the same bulk TCP transfer and the same 300 short connections
go from that namespace's loopback to a sink in each container's namespace.

dockerd runs without its default bridge and iptables (nothing kernel-wide
is loaded or changed): the container is on a user network and its port
is published by docker-proxy only, which is what carries 127.0.0.1 in a
default dockerd too. Arguments: MiB per transfer (default 512),
iterations (default 5). The issue's target: >= 1.5x dockerd's throughput."""

import atexit
import os
import subprocess
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "net_tools"))
import benchlib  # noqa: E402
import net_common as nc  # noqa: E402
from daemons import Berthd, Dockerd, build_image, preload  # noqa: E402

MB = int(sys.argv[1]) if len(sys.argv) > 1 else 512
ITER = int(sys.argv[2]) if len(sys.argv) > 2 else 5


class NetnsDockerd(Dockerd):
    def __init__(self, netns):
        super().__init__()
        self.netns = netns

    def command(self):
        return ["nsenter", "--net=/run/netns/" + self.netns] + super().command()


def docker(daemon, *args):
    env = dict(os.environ, DOCKER_HOST=daemon.host)
    return subprocess.run(["docker", *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def serve(daemon, port, *extra):
    """A sleeping container publishing port 80; the sink runs in its namespace."""
    cid = docker(daemon, "run", "-d", "-p", "127.0.0.1:%d:80" % port, *extra, "busybox", "sleep", "3600")
    pid = int(docker(daemon, "inspect", "-f", "{{.State.Pid}}", cid))
    sink = subprocess.Popen(["nsenter", "--net=/proc/%d/ns/net" % pid, nc.tool_path(), "sink", "80"])
    atexit.register(lambda: (sink.kill(), sink.wait()))
    return cid


def main():
    host = nc.Netns("berth-bench-dtp-" + uuid.uuid4().hex[:6])
    berthd, dockerd = Berthd(netns=host.name), NetnsDockerd(host.name)
    archive = build_image(berthd.dir)
    preload(berthd, archive)
    berthd.start()
    dockerd.start()
    try:
        docker(dockerd, "load", "-q", "-i", archive)
        docker(dockerd, "network", "create", "bench")
        b_cid = serve(berthd, 18080)
        d_cid = serve(dockerd, 18081, "--network", "bench")
        tool, nbytes = nc.tool_path(), str(MB << 20)
        for port in (18080, 18081):  # both sinks answer before timing starts
            host.exec(tool, "send", "127.0.0.1", str(port), str(1 << 20))
        berth = benchlib.Contender("berthd", [
            ("transfer", lambda: host.exec(tool, "send", "127.0.0.1", "18080", nbytes))])
        proxy = benchlib.Contender("dockerd", [
            ("transfer", lambda: host.exec(tool, "send", "127.0.0.1", "18081", nbytes))])
        result = benchlib.compare("net_daemon_throughput", berth, proxy, iterations=ITER, warmup=1,
                                  target_ratio=1 / 1.5,
                                  notes="%d MiB over TCP from loopback to a port published by "
                                        "berthd / dockerd" % MB)
        for name in ("berthd", "dockerd"):
            ms = result["contenders"][name]["total"]["median_ms"]
            print("  %-8s %.2f GB/s" % (name, (MB << 20) / (ms / 1000) / 1e9))
        print("  throughput ratio berthd/dockerd: %.2fx (target >= 1.5x)" % (1 / result["ratio"]))
        conns = "300"
        berth_c = benchlib.Contender("berthd", [
            ("300 conns", lambda: host.exec(tool, "connections", "127.0.0.1", "18080", conns))])
        proxy_c = benchlib.Contender("dockerd", [
            ("300 conns", lambda: host.exec(tool, "connections", "127.0.0.1", "18081", conns))])
        benchlib.compare("net_daemon_connections", berth_c, proxy_c, iterations=ITER, warmup=1,
                         target_ratio=1 / 1.5, notes="300 sequential 1 KiB connections from loopback")
        docker(berthd, "rm", "-f", b_cid)
        docker(dockerd, "rm", "-f", d_cid)
        docker(dockerd, "network", "rm", "bench")
    finally:
        berthd.stop()
        dockerd.stop()


if __name__ == "__main__":
    main()
