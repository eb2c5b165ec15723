"""Container networking through berthd, driven by the docker CLI: published
ports served on 127.0.0.1, user networks with DNS by name and alias, live
connect/disconnect, the network modes, dockerd's error texts, no leftovers
after rm, and a kill -9 of berthd with containers still reachable after the
restart and the dead ones' state released.

berthd runs inside a network namespace the test creates (berthd_fixture's
`netns`), so its bridge, nftables tables, veths and all traffic stay there;
the test reaches published ports from inside that namespace."""

import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid

import pytest

from berthd_fixture import started_with_busybox
from conftest import need_root, need_tool, run

PORT = 18080  # any port: nothing else listens in the private namespace


@pytest.fixture(scope="module")
def netns():
    need_root()
    need_tool("ip")
    need_tool("nsenter")
    name = "berth-e2e-" + uuid.uuid4().hex[:8]
    assert run(["ip", "netns", "add", name]).returncode == 0
    run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    yield name
    run(["ip", "netns", "del", name])


@pytest.fixture(scope="module")
def berthd(busybox_image, netns):
    need_tool("docker")
    daemon = started_with_busybox(busybox_image, netns=netns)
    yield daemon
    daemon.remove_containers()
    daemon.docker("network", "prune", "-f", check=False)
    daemon.cleanup()


def in_ns(netns, *cmd, **kw):
    return run(["nsenter", "--net=/run/netns/" + netns, *cmd], **kw)


def fetch(netns, port, timeout=10):
    """GET / on 127.0.0.1:port inside the namespace, retried until served.
    (No wget -T: busybox's wget crashes with it on a refused connection.)"""
    deadline = time.time() + timeout
    while True:
        out = in_ns(netns, "busybox", "wget", "-qO-",
                    "http://127.0.0.1:%d/" % port)
        if out.returncode == 0 or time.time() > deadline:
            return out
        time.sleep(0.1)


def web(berthd, name, port, text, *extra):
    """A detached busybox httpd publishing container port 80 on `port`."""
    script = "mkdir -p /www && echo %s > /www/index.html && exec httpd -f -p 80 -h /www" % text
    return berthd.docker("run", "-d", "--name", name, "-p", "%d:80" % port, *extra,
                         "busybox", "sh", "-c", script).stdout.strip()


def inspect(berthd, name):
    return json.loads(berthd.docker("inspect", name).stdout)[0]


def links(netns):
    out = in_ns(netns, "ip", "-o", "link", "show").stdout
    return [l.split(":")[1].strip().split("@")[0] for l in out.splitlines()]


def db_rows(berthd, table):
    path = os.path.join(berthd.dir, "data", "network", "net.db")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]


def nft_elements(netns):
    out = in_ns(netns, "nft", "list", "table", "ip", "berth-nat").stdout
    return [l for l in out.splitlines() if "comment" in l and ":" in l]


def assert_no_leftovers(berthd, netns):
    assert [l for l in links(netns) if l.startswith("vb")] == []
    assert db_rows(berthd, "net_endpoints") == 0
    assert db_rows(berthd, "net_ports") == 0
    if os.path.exists("/usr/sbin/nft"):
        assert nft_elements(netns) == []


def test_published_port_serves_on_loopback_and_shows_like_dockerd(berthd, netns):
    cid = web(berthd, "web", PORT, "hello-from-berth")
    try:
        out = fetch(netns, PORT)
        assert out.returncode == 0, out.stderr
        assert out.stdout == "hello-from-berth\n"
        ps = berthd.docker("ps", "--filter", "name=web", "--format", "{{.Ports}}").stdout
        assert ps.strip() == "0.0.0.0:%d->80/tcp" % PORT
        assert berthd.docker("port", "web").stdout == "80/tcp -> 0.0.0.0:%d\n" % PORT
        assert berthd.docker("port", "web", "80").stdout.strip() == "0.0.0.0:%d" % PORT
        ns = inspect(berthd, cid)["NetworkSettings"]
        assert ns["Ports"] == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(PORT)}]}
        bridge = ns["Networks"]["bridge"]
        assert ns["IPAddress"] == bridge["IPAddress"] and ns["IPAddress"].startswith("172.")
        assert ns["Gateway"] == bridge["Gateway"] and ns["MacAddress"] == bridge["MacAddress"]
        assert bridge["NetworkID"] == inspect_network(berthd, "bridge")["Id"]
        assert len(bridge["EndpointID"]) == 64 and ns["EndpointID"] == bridge["EndpointID"]
        # The container's own address serves too, from the berthd namespace.
        direct = in_ns(netns, "busybox", "wget", "-qO-", "http://%s/" % ns["IPAddress"])
        assert direct.stdout == "hello-from-berth\n"
        # dockerd's words for a taken port; the second container does not run.
        taken = berthd.docker("run", "-d", "-p", "%d:80" % PORT, "busybox", "sleep", "30", check=False)
        assert taken.returncode != 0
        assert "Bind for 0.0.0.0:%d failed: port is already allocated" % PORT in taken.stderr
    finally:
        berthd.docker("rm", "-f", "web", check=False)
    assert fetch(netns, PORT, timeout=0).returncode != 0


def inspect_network(berthd, name):
    return json.loads(berthd.docker("network", "inspect", name).stdout)[0]


def test_user_network_resolves_names_and_aliases(berthd, netns):
    berthd.docker("network", "create", "app")
    try:
        assert "app" in berthd.docker("network", "ls", "--format", "{{.Name}}").stdout.split()
        berthd.docker("run", "-d", "--network", "app", "--name", "db", "--network-alias", "database",
                      "busybox", "sleep", "60")
        out = berthd.docker("run", "--rm", "--network", "app", "busybox", "ping", "-c1", "-W2", "db")
        assert "1 packets received" in out.stdout
        out = berthd.docker("run", "--rm", "--network", "app", "busybox", "ping", "-c1", "-W2", "database")
        assert "1 packets received" in out.stdout
        net = inspect_network(berthd, "app")
        db = inspect(berthd, "db")
        assert list(net["Containers"]) == [db["Id"]]
        settings = db["NetworkSettings"]["Networks"]["app"]
        # dockerd 20.10 adds the short id (which its DNS answers for).
        assert settings["Aliases"] == ["database", db["Id"][:12]] and settings["NetworkID"] == net["Id"]
        assert net["Containers"][db["Id"]]["IPv4Address"].split("/")[0] == settings["IPAddress"]
        # Only the default network sets the legacy top-level address.
        assert db["NetworkSettings"]["IPAddress"] == ""
        # The default bridge has no DNS: the name is unknown there.
        other = berthd.docker("run", "--rm", "busybox", "ping", "-c1", "-W1", "db", check=False)
        assert other.returncode != 0
        removing = berthd.docker("network", "rm", "app", check=False)
        assert removing.returncode != 0 and "has active endpoints" in removing.stderr
    finally:
        berthd.docker("rm", "-f", "db", check=False)
        berthd.docker("network", "rm", "app", check=False)
    assert_no_leftovers(berthd, netns)


def test_unknown_network_is_dockerds_error(berthd):
    out = berthd.docker("run", "--rm", "--network", "nope", "busybox", "true", check=False)
    assert out.returncode != 0
    assert "network nope not found" in out.stderr
    assert "Unable to find image" not in out.stderr
    out = berthd.docker("network", "inspect", "nope", check=False)
    assert out.returncode != 0 and "network nope not found" in out.stderr


def container_addresses(netns_path):
    out = run(["nsenter", "--net=" + netns_path, "ip", "-o", "-4", "addr", "show"]).stdout
    return {l.split()[1]: l.split()[3] for l in out.splitlines()}


def test_live_connect_and_disconnect(berthd):
    berthd.docker("network", "create", "--subnet", "10.77.0.0/24", "side")
    try:
        berthd.docker("run", "-d", "--name", "hub", "busybox", "sleep", "60")
        sandbox = inspect(berthd, "hub")["NetworkSettings"]["SandboxKey"]
        assert set(container_addresses(sandbox)) == {"lo", "eth0"}
        berthd.docker("network", "connect", "--alias", "hubby", "side", "hub")
        addrs = container_addresses(sandbox)
        assert addrs["eth1"].startswith("10.77.0.")
        nets = inspect(berthd, "hub")["NetworkSettings"]["Networks"]
        assert set(nets) == {"bridge", "side"}
        assert nets["side"]["Aliases"] == ["hubby", inspect(berthd, "hub")["Id"][:12]]
        assert nets["side"]["IPAddress"] == addrs["eth1"].split("/")[0]
        ping = berthd.docker("run", "--rm", "--network", "side", "busybox", "ping", "-c1", "-W2", "hubby")
        assert "1 packets received" in ping.stdout
        again = berthd.docker("network", "connect", "side", "hub", check=False)
        assert again.returncode != 0 and "already exists in network side" in again.stderr
        berthd.docker("network", "disconnect", "side", "hub")
        assert set(container_addresses(sandbox)) == {"lo", "eth0"}
        assert set(inspect(berthd, "hub")["NetworkSettings"]["Networks"]) == {"bridge"}
    finally:
        berthd.docker("rm", "-f", "hub", check=False)
        berthd.docker("network", "rm", "side", check=False)


def test_network_modes(berthd):
    none = berthd.docker("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link").stdout
    assert [l.split(":")[1].strip() for l in none.splitlines()] == ["lo"]
    host = berthd.docker("run", "--rm", "--network", "host", "busybox", "ip", "-o", "link").stdout
    assert "berth0" in host  # berthd's own namespace
    berthd.docker("run", "-d", "--name", "owner", "busybox", "sleep", "60")
    try:
        ip = inspect(berthd, "owner")["NetworkSettings"]["IPAddress"]
        shared = berthd.docker("run", "--rm", "--network", "container:owner", "busybox",
                               "ip", "-o", "-4", "addr").stdout
        assert ip + "/" in shared
    finally:
        berthd.docker("rm", "-f", "owner", check=False)


def test_etc_files_follow_the_options(berthd):
    out = berthd.docker("run", "--rm", "--hostname", "box", "--add-host", "peer:10.1.2.3",
                        "--dns", "10.9.9.9", "--dns-search", "example.test", "busybox",
                        "sh", "-c", "cat /etc/hostname /etc/hosts /etc/resolv.conf").stdout
    lines = out.splitlines()
    assert lines[0] == "box"
    assert "10.1.2.3\tpeer" in lines
    assert any(l.startswith("172.") and l.split("\t")[1].split()[0] == "box" for l in lines)
    assert "nameserver 10.9.9.9" in lines and "search example.test" in lines


def test_rm_leaves_nothing_behind(berthd, netns):
    web(berthd, "leak1", PORT + 1, "x")
    berthd.docker("run", "-d", "--name", "leak2", "-P", "--expose", "81", "busybox", "sleep", "60")
    assert berthd.docker("port", "leak2").stdout.startswith("81/tcp -> 0.0.0.0:")
    assert db_rows(berthd, "net_endpoints") == 2
    berthd.docker("rm", "-f", "leak1", "leak2")
    assert_no_leftovers(berthd, netns)
    # --rm containers and stopped ones release too.
    berthd.docker("run", "--rm", "-p", "%d:80" % (PORT + 2), "busybox", "true")
    berthd.docker("run", "-d", "--name", "stopper", "-p", "%d:80" % (PORT + 3), "busybox", "sleep", "60")
    berthd.docker("stop", "-t", "0", "stopper")
    assert_no_leftovers(berthd, netns)
    assert berthd.docker("ps", "-a", "--filter", "name=stopper", "--format", "{{.Ports}}").stdout.strip() == ""
    berthd.docker("start", "stopper")
    assert berthd.docker("port", "stopper").stdout == "80/tcp -> 0.0.0.0:%d\n" % (PORT + 3)
    berthd.docker("rm", "-f", "stopper")
    assert_no_leftovers(berthd, netns)


def test_kill_9_then_restart_keeps_running_containers_reachable(berthd, netns):
    port = PORT + 4
    web(berthd, "survivor", port, "still-here")
    assert fetch(netns, port).stdout == "still-here\n"
    berthd.docker("run", "-d", "--name", "quitter", "-p", "%d:80" % (port + 1), "busybox", "sleep", "2")
    assert db_rows(berthd, "net_endpoints") == 2
    berthd.proc.send_signal(signal.SIGKILL)
    berthd.proc.wait()
    time.sleep(3)  # the quitter exits while nobody is watching
    # While berthd is down the survivor keeps serving: the kernel forwards.
    assert fetch(netns, port).stdout == "still-here\n"
    berthd.start()
    assert fetch(netns, port).stdout == "still-here\n"
    assert db_rows(berthd, "net_endpoints") == 1  # the quitter's lease and port were released
    assert db_rows(berthd, "net_ports") == 1
    assert berthd.docker("port", "survivor").stdout == "80/tcp -> 0.0.0.0:%d\n" % port
    # The quitter's port is free again.
    web(berthd, "successor", port + 1, "next")
    assert fetch(netns, port + 1).stdout == "next\n"
    berthd.docker("rm", "-f", "survivor", "quitter", "successor")
    assert_no_leftovers(berthd, netns)


class NetnsDockerd:
    """Debian's dockerd inside the test's namespace, for side-by-side
    output: no default bridge and no iptables (nothing kernel-wide is
    loaded or changed); a user network and docker-proxy publish ports."""

    def __init__(self, netns, bridge=False):
        from conftest import Dockerd
        self.inner = Dockerd()
        self.netns = netns
        # With bridge: docker0 and iptables rules in that namespace only.
        self.network = [] if bridge else ["--bridge=none", "--iptables=false", "--ip6tables=false"]

    def start(self):
        d = self.inner
        cmd = ["nsenter", "--net=/run/netns/" + self.netns, need_tool("dockerd"),
               "--data-root", os.path.join(d.dir, "data"), "--exec-root", os.path.join(d.dir, "exec"),
               "-H", d.host, "--pidfile", os.path.join(d.dir, "dockerd.pid"),
               *self.network, "--containerd-namespace", "berth-e2e-net-" + self.netns,
               "--containerd-plugins-namespace", "berth-e2e-net-plugins-" + self.netns]
        d.log = open(os.path.join(d.dir, "dockerd.log"), "w")
        d.proc = subprocess.Popen(cmd, stdout=d.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if d.proc.poll() is not None:
                raise RuntimeError("dockerd exited: " + d.read_log())
            if d.docker("version", check=False).returncode == 0:
                return self
            time.sleep(0.2)
        raise RuntimeError("dockerd did not come up: " + d.read_log())

    def docker(self, *args, **kw):
        return self.inner.docker(*args, **kw)

    def stop(self):
        self.inner.stop()


def ipv4_lines(text):
    return [l for l in text.splitlines() if "::" not in l and "[" not in l]


def shape(value):
    """The keys (recursively) and value types of a JSON document."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_ps_port_and_inspect_match_dockerd(berthd, netns, busybox_image):
    need_tool("dockerd")
    dockerd = NetnsDockerd(netns).start()
    try:
        dockerd.docker("load", "-q", "-i", busybox_image.archive)
        outputs = {}
        for name, daemon, port in (("berthd", berthd, PORT + 10), ("dockerd", dockerd, PORT + 11)):
            daemon.docker("network", "create", "cmp")
            daemon.docker("run", "-d", "--name", "cmp1", "--network", "cmp", "--network-alias", "c1",
                          "-p", "%d:80" % port, "-p", "127.0.0.1:%d:81/udp" % (port + 20),
                          "--expose", "82", "busybox", "sleep", "60")
            ps = daemon.docker("ps", "--filter", "name=cmp1", "--format", "{{.Ports}}").stdout.strip()
            info = json.loads(daemon.docker("inspect", "cmp1").stdout)[0]
            outputs[name] = {
                "ps": [p for p in ps.replace(str(port + 20), "U").replace(str(port), "P").split(", ")
                       if "::" not in p and "[" not in p],
                "port": [l.replace(str(port + 20), "U").replace(str(port), "P")
                         for l in ipv4_lines(daemon.docker("port", "cmp1").stdout)],
                "ports": {k: [b for b in v if "::" not in b["HostIp"]] if v else v
                          for k, v in info["NetworkSettings"]["Ports"].items()},
                "settings": shape(info["NetworkSettings"]["Networks"]["cmp"]),
                "aliases": info["NetworkSettings"]["Networks"]["cmp"]["Aliases"],
                "legacy_ip": info["NetworkSettings"]["IPAddress"],
                "network": shape(json.loads(daemon.docker("network", "inspect", "cmp").stdout)[0]),
            }
            for ports in outputs[name]["ports"].values():
                for b in ports or []:
                    b["HostPort"] = "U" if b["HostPort"] == str(port + 20) else "P"
            daemon.docker("rm", "-f", "cmp1")
            daemon.docker("network", "rm", "cmp")
        b, d = outputs["berthd"], outputs["dockerd"]
        assert "0.0.0.0:P->80/tcp" in b["ps"] and "127.0.0.1:U->81/udp" in b["ps"]
        assert sorted(b["ps"]) == sorted(d["ps"])
        assert b["port"] == d["port"]
        assert b["ports"] == d["ports"]
        assert b["legacy_ip"] == d["legacy_ip"] == ""
        # dockerd 20.10 lists the short id among the aliases.
        assert "c1" in b["aliases"] and "c1" in d["aliases"]
        missing = {k for k in d["settings"] if k not in b["settings"]}
        assert missing == set(), missing
        assert {k for k in d["network"] if k not in b["network"]} == set()
    finally:
        dockerd.stop()


def test_network_events(berthd):
    since = str(int(time.time()) - 1)
    berthd.docker("network", "create", "evnet")
    berthd.docker("run", "--rm", "--network", "evnet", "busybox", "true")
    berthd.docker("network", "rm", "evnet")
    until = str(int(time.time()) + 1)
    out = berthd.docker("events", "--since", since, "--until", until, "--filter", "type=network",
                        "--format", "{{.Action}} {{.Actor.Attributes.name}}").stdout.split("\n")
    actions = [l for l in out if l.endswith(" evnet")]
    assert actions == ["create evnet", "connect evnet", "disconnect evnet", "destroy evnet"]


@pytest.fixture(scope="module")
def bridged_dockerd(busybox_image):
    """Debian's dockerd with its default bridge and iptables, in a namespace
    of its own (its docker0 would collide with berth0's 172.17/16 in
    berthd's): the reference for the default-bridge outputs."""
    need_tool("dockerd")
    name = "berth-e2e-d-" + uuid.uuid4().hex[:8]
    assert run(["ip", "netns", "add", name]).returncode == 0
    run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    daemon = NetnsDockerd(name, bridge=True).start()
    try:
        daemon.docker("load", "-q", "-i", busybox_image.archive)
        yield daemon
    finally:
        ids = daemon.docker("ps", "-aq", check=False).stdout.split()
        if ids:
            daemon.docker("rm", "-f", *ids, check=False)
        daemon.stop()
        run(["ip", "netns", "del", name])


def v4(ports):
    """NetworkSettings.Ports without dockerd's [::] bindings: berth publishes
    IPv4 only (its networks are IPv4), see docs/NETWORKING.md."""
    return {k: [b for b in v if ":" not in b["HostIp"]] if v else v for k, v in ports.items()}


def bridge_view(daemon, netns, port):
    daemon.docker("run", "-d", "--name", "bweb", "-p", "%d:80" % port,
                  "-p", "%d-%d:7000-7002/udp" % (port + 1, port + 3), "--expose", "5000",
                  "busybox", "sh", "-c", "mkdir /w && echo hi > /w/index.html && exec httpd -f -p 80 -h /w")
    served = fetch(netns, port).stdout
    info = inspect(daemon, "bweb")
    ns = info["NetworkSettings"]
    sub = lambda s: s.replace(str(port + 3), "P3").replace(str(port + 2), "P2").replace(
        str(port + 1), "P1").replace(str(port), "P")
    ps = daemon.docker("ps", "--filter", "name=bweb", "--format", "{{.Ports}}").stdout.strip()
    view = {
        "served": served,
        "ps": [sub(p) for p in ps.split(", ") if "[::]" not in p and ":::" not in p],
        "port": [sub(l) for l in ipv4_lines(daemon.docker("port", "bweb").stdout)],
        "ports": json.loads(sub(json.dumps(v4(ns["Ports"])))),
        "bindings": json.loads(sub(json.dumps(info["HostConfig"]["PortBindings"]))),
        "exposed": info["Config"]["ExposedPorts"],
        "keys": sorted(ns),
        "bridge": shape(ns["Networks"]["bridge"]),
        "aliases": ns["Networks"]["bridge"]["Aliases"],
        # Which address of the subnet is handed out differs (berth leases
        # round-robin, dockerd the lowest free); the rest is the same.
        "legacy": {"Gateway": ns["Gateway"], "IPPrefixLen": ns["IPPrefixLen"],
                   "subnet": ns["IPAddress"].rsplit(".", 2)[0],
                   "mac": ns["MacAddress"] == "02:42:" + ":".join(
                       "%02x" % int(o) for o in ns["IPAddress"].split("."))},
        "same": ns["IPAddress"] == ns["Networks"]["bridge"]["IPAddress"]
        and ns["EndpointID"] == ns["Networks"]["bridge"]["EndpointID"] != "",
        "filters": [daemon.docker("ps", "--filter", f, "--format", "{{.Names}}").stdout.strip()
                    for f in ("publish=%d" % port, "publish=%d/udp" % (port + 2),
                              "publish=%d" % (port + 2), "expose=5000", "expose=7000-7001/udp",
                              "expose=81", "network=bridge", "network=none")],
    }
    daemon.docker("rm", "-f", "bweb")
    return view


def predefined_view(daemon):
    ls = daemon.docker("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").stdout
    view = {"ls": sorted(l for l in ls.splitlines() if l.split()[0] in ("bridge", "host", "none")),
            "rm": []}
    for name in ("bridge", "host", "none"):
        out = daemon.docker("network", "rm", name, check=False)
        view["rm"].append((out.returncode != 0, out.stderr.strip().splitlines()[0]))
    for name in ("host", "none"):
        net = inspect_network(daemon, name)
        view[name] = {k: net[k] for k in ("Name", "Driver", "Scope", "IPAM", "Internal", "Options")}
        view[name]["id"] = len(net["Id"])
    host = daemon.docker("run", "-d", "--network", "host", "--name", "hmode", "busybox", "sleep", "30")
    assert host.returncode == 0
    nets = inspect(daemon, "hmode")["NetworkSettings"]["Networks"]
    view["host_mode"] = (list(nets), nets["host"]["NetworkID"] == inspect_network(daemon, "host")["Id"])
    view["host_filter"] = daemon.docker("ps", "--filter", "network=host", "--format", "{{.Names}}").stdout
    daemon.docker("rm", "-f", "hmode")
    return view


def user_network_view(daemon):
    daemon.docker("network", "create", "app")
    daemon.docker("run", "-d", "--network", "app", "--name", "db", "busybox", "sleep", "60")
    ping = daemon.docker("run", "--rm", "--network", "app", "busybox", "ping", "-c1", "-W2", "db").stdout
    db = inspect(daemon, "db")
    settings = db["NetworkSettings"]["Networks"]["app"]
    view = {
        "ping": "1 packets received" in ping,
        "aliases": settings["Aliases"] == [db["Id"][:12]],
        "legacy_ip": db["NetworkSettings"]["IPAddress"],
        "filter": daemon.docker("ps", "--filter", "network=app", "--format", "{{.Names}}").stdout,
    }
    daemon.docker("rename", "db", "db2")
    view["renamed"] = [daemon.docker("run", "--rm", "--network", "app", "busybox", "ping", "-c1",
                                     "-W2", n, check=False).returncode for n in ("db2", "db")]
    view["filter2"] = daemon.docker("ps", "--filter", "network=app", "--format", "{{.Names}}").stdout
    daemon.docker("rm", "-f", "db2")
    daemon.docker("network", "rm", "app")
    return view


def test_default_bridge_predefined_and_user_networks_match_dockerd(berthd, netns, bridged_dockerd):
    """The issue's scenario side by side with Debian's dockerd (default
    bridge, iptables, docker-proxy): what the CLI prints and inspect shows."""
    d_ns = bridged_dockerd.netns
    b, d = bridge_view(berthd, netns, PORT + 30), bridge_view(bridged_dockerd, d_ns, PORT + 30)
    assert b["served"] == d["served"] == "hi\n"
    assert "0.0.0.0:P->80/tcp" in b["ps"] and "0.0.0.0:P1->7000/udp" in b["ps"]
    for key in ("ps", "port", "ports", "bindings", "exposed", "keys", "bridge", "aliases", "legacy",
                "same", "filters"):
        assert b[key] == d[key], key
    assert predefined_view(berthd) == predefined_view(bridged_dockerd)
    assert user_network_view(berthd) == user_network_view(bridged_dockerd)


def test_taken_port_leaves_the_container_created_and_nothing_behind(berthd, netns):
    port = PORT + 40
    web(berthd, "holder", port, "holder")
    try:
        berthd.docker("create", "--name", "late", "-p", "%d:80" % port, "-p", "%d:81" % (port + 1),
                      "busybox", "sleep", "30")
        before = sorted(l for l in links(netns) if l.startswith("vb"))
        out = berthd.docker("start", "late", check=False)
        assert out.returncode != 0
        # dockerd: "driver failed programming external connectivity on
        # endpoint late (<id>): Bind for 0.0.0.0:P failed: port is already allocated"
        assert "driver failed programming external connectivity on endpoint late (" in out.stderr
        assert "): Bind for 0.0.0.0:%d failed: port is already allocated" % port in out.stderr
        state = inspect(berthd, "late")["State"]
        assert state["Status"] == "created" and "port is already allocated" in state["Error"]
        assert berthd.docker("ps", "-a", "--filter", "name=late", "--format",
                             "{{.Status}}").stdout.strip() == "Created"
        # No veth, lease, port or rule of the failed start is left.
        assert sorted(l for l in links(netns) if l.startswith("vb")) == before
        assert db_rows(berthd, "net_endpoints") == 1 and db_rows(berthd, "net_ports") == 1
        assert not [e for e in nft_elements(netns) if ":%d" % (port + 1) in e or " %d " % (port + 1) in e]
        assert fetch(netns, port).stdout == "holder\n"
    finally:
        berthd.docker("rm", "-f", "holder", "late", check=False)
    assert_no_leftovers(berthd, netns)


def test_taken_port_with_rm_removes_the_container_and_its_anonymous_volumes(berthd, netns):
    # The aborted start (network attach failed) ends like every other run:
    # --rm removes the container with its anonymous volumes, as dockerd.
    port = PORT + 44
    web(berthd, "holder2", port, "holder2")
    try:
        volumes = set(berthd.docker("volume", "ls", "-q").stdout.split())
        out = berthd.docker("run", "--rm", "--name", "late-rm", "-v", "/data", "-p", "%d:80" % port,
                            "busybox", "true", check=False)
        assert out.returncode == 125 and "port is already allocated" in out.stderr
        assert berthd.docker("ps", "-aq", "--filter", "name=late-rm").stdout.strip() == ""
        assert set(berthd.docker("volume", "ls", "-q").stdout.split()) == volumes
    finally:
        berthd.docker("rm", "-f", "holder2", "late-rm", check=False)


def test_publish_all_takes_the_images_exposed_ports(berthd, netns, tmp_path):
    # An image with EXPOSE 90/tcp 91/udp, made from busybox's filesystem.
    cid = berthd.docker("create", "busybox", "true").stdout.strip()
    tar = str(tmp_path / "fs.tar")
    berthd.docker("export", "-o", tar, cid)
    berthd.docker("rm", cid)
    berthd.docker("import", "-c", "EXPOSE 90/tcp 91/udp", tar, "exposing:1")
    try:
        berthd.docker("run", "-d", "--name", "pall", "-P", "--expose", "92", "exposing:1",
                      "sleep", "60")
        exposed = inspect(berthd, "pall")["Config"]["ExposedPorts"]
        assert set(exposed) == {"90/tcp", "91/udp", "92/tcp"}
        lines = berthd.docker("port", "pall").stdout.splitlines()
        assert sorted(l.split(" -> ")[0] for l in lines) == ["90/tcp", "91/udp", "92/tcp"]
        assert all(l.split(" -> ")[1].startswith("0.0.0.0:") for l in lines)
    finally:
        berthd.docker("rm", "-f", "pall", check=False)
        berthd.docker("rmi", "exposing:1", check=False)
