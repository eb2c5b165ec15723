"""Throughput through a published port from the host's loopback.

berth: 127.0.0.1:18080 -> container:80 by nftables DNAT in the output
chain (route_localnet on the bridge, masquerade of 127/8): the kernel
forwards, no userspace copy.
incumbent: Debian's docker-proxy, the userspace proxy dockerd runs for
every published port and which carries loopback traffic by default:
127.0.0.1:18081 -> container:80.

Both carry the same bulk TCP transfer to the same sink in the same
container namespace. The issue's target is >= 1.5x throughput, i.e. a
time ratio berth/incumbent <= 0.67.
"""

import atexit
import subprocess
import sys

import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "net_tools"))
import benchlib  # noqa: E402
import net_common as nc  # noqa: E402

MB = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
ITER = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def main():
    host = nc.Netns("berth-bench-tp")
    mgr = nc.Manager(host)
    mgr.cmd("prep c1")
    ip = mgr.cmd("connect c1 18080:80")[0]
    proc = subprocess.Popen(["nsenter", "--net=" + mgr.netns_path("c1"), nc.tool_path(),
                             "sink", "80"])
    atexit.register(lambda: (proc.kill(), proc.wait()))
    # docker-proxy reports readiness ("0\n") or an error on fd 3, as
    # dockerd expects.
    ready_r, ready_w = os.pipe()
    dp = subprocess.Popen(["nsenter", "--net=" + host.path, "sh", "-c",
                           "exec /usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 "
                           "-host-port 18081 -container-ip %s -container-port 80 3>&%d"
                           % (ip, ready_w)], pass_fds=(ready_w,))
    atexit.register(lambda: (dp.kill(), dp.wait()))
    os.close(ready_w)
    status = os.read(ready_r, 256).decode().strip()
    if status != "0":
        raise SystemExit("docker-proxy failed: " + status)
    nbytes = str(MB << 20)
    tool = nc.tool_path()
    berth = benchlib.Contender("berth-dnat", [
        ("transfer", lambda: host.exec(tool, "send", "127.0.0.1", "18080", nbytes))])
    proxy = benchlib.Contender("docker-proxy", [
        ("transfer", lambda: host.exec(tool, "send", "127.0.0.1", "18081", nbytes))])
    result = benchlib.compare("net_throughput", berth, proxy, iterations=ITER, warmup=1,
                              target_ratio=1 / 1.5,
                              notes="%d MiB over TCP from host loopback to a published port"
                                    % MB)
    for name in ("berth-dnat", "docker-proxy"):
        ms = result["contenders"][name]["total"]["median_ms"]
        print("  %-13s %.2f GB/s" % (name, (MB << 20) / (ms / 1000) / 1e9))
    print("  throughput ratio berth/docker-proxy: %.2fx (target >= 1.5x)" % (1 / result["ratio"]))
    # The ceiling of this machine: straight to the container address, no
    # NAT and no proxy. berth's DNAT path cannot beat it.
    secs = sorted(float(host.exec(tool, "send", ip, "80", nbytes)) for _ in range(3))
    print("  ceiling (direct to %s, no NAT): %.2f GB/s" % (ip, (MB << 20) / secs[1] / 1e9))
    # Short connections: the proxy accepts and dials for every one.
    conns = "300"
    berth_c = benchlib.Contender("berth-dnat", [
        ("300 conns", lambda: host.exec(tool, "connections", "127.0.0.1", "18080", conns))])
    proxy_c = benchlib.Contender("docker-proxy", [
        ("300 conns", lambda: host.exec(tool, "connections", "127.0.0.1", "18081", conns))])
    benchlib.compare("net_connections", berth_c, proxy_c, iterations=ITER, warmup=1,
                     target_ratio=1 / 1.5,
                     notes="300 sequential 1 KiB connections from host loopback")
    mgr.cmd("release c1")


if __name__ == "__main__":
    main()
