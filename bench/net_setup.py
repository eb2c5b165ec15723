"""Per-container network setup time (issue target: <= 5 ms).

berth: Manager::connect in a long-lived process (as berthd calls it): veth
with the peer born in the container namespace, hairpin, address, routes,
one published port (map element), DNS records, IPAM in SQLite.
incumbent: the same kernel state made the classic way, by iproute2 and nft
commands (what CNI-style scripts and many engines' shell-outs do). Neither
side times namespace creation (the runtime's job).

The breakdown of berth's time per phase is printed from the manager's own
timings.
"""

import statistics
import sys

import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "net_tools"))
import benchlib  # noqa: E402
import net_common as nc  # noqa: E402

ITER = int(sys.argv[1]) if len(sys.argv) > 1 else 40


def main():
    host = nc.Netns("berth-bench-setup")
    mgr = nc.Manager(host)
    breakdown = []
    counter = [0]

    def b_setup():
        counter[0] += 1
        mgr.cmd("prep c%d" % counter[0])

    def b_connect():
        breakdown.append(mgr.cmd("connect c%d 80" % counter[0]))

    def b_teardown():
        mgr.cmd("release c%d" % counter[0])

    # The incumbent's fixed world: a bridge and a port map of its own.
    host.exec("sh", "-c",
              "ip link add cli0 type bridge && ip addr add 10.99.0.1/16 dev cli0 && "
              "ip link set cli0 up && nft add table ip cli && "
              "nft add map ip cli ports '{ type inet_service : ipv4_addr . inet_service; }'")
    script = ("ip link add vcli type veth peer name eth0 netns cli-ctr && "
              "ip link set vcli master cli0 up && "
              "ip link set vcli type bridge_slave hairpin on && "
              "ip -n cli-ctr link set lo up && "
              "ip -n cli-ctr addr add 10.99.0.2/16 dev eth0 && "
              "ip -n cli-ctr link set eth0 up && "
              "ip -n cli-ctr route add default via 10.99.0.1 && "
              "nft add element ip cli ports '{ 40000 : 10.99.0.2 . 80 }'")

    def i_setup():
        nc.run("ip", "netns", "add", "cli-ctr")

    def i_connect():
        # nsenter, not "ip netns exec" (which also remounts /sys): the
        # incumbent pays only for its own commands.
        nc.run("nsenter", "--net=" + host.path, "sh", "-c", script)

    def i_teardown():
        host.exec("sh", "-c", "ip link del vcli; nft delete element ip cli ports '{ 40000 }'",
                  check=False)
        nc.run("ip", "netns", "del", "cli-ctr", check=False)

    berth = benchlib.Contender("berth", [("connect", b_connect)], b_setup, b_teardown)
    cli = benchlib.Contender("iproute2+nft", [("connect", i_connect)], i_setup, i_teardown)
    result = benchlib.compare("net_setup", berth, cli, iterations=ITER, warmup=3,
                              notes="per-container network setup; berth breakdown in "
                                    "breakdown_us (medians, microseconds)")
    names = ["total", "netns", "ipam", "veth", "inside", "nft", "dns"]
    meds = {n: statistics.median(float(b[1 + i]) for b in breakdown[-ITER:])
            for i, n in enumerate(names)}
    print("  berth breakdown (median us): " +
          ", ".join("%s %.0f" % (n, meds[n]) for n in names))
    print("  target: berth connect <= 5 ms: %s" %
          ("met" if result["contenders"]["berth"]["total"]["median_ms"] <= 5 else "NOT met"))
    result["breakdown_us"] = meds
    benchlib.save("net_setup", result)


if __name__ == "__main__":
    main()
