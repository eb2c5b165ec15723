"""More details where berthd must answer the docker CLI 28 as Debian's
dockerd does: the events of kill, stop and restart, the shape of a
container's Config in inspect, signal names, committed images' history
and parents. Every scenario runs on dockerd (the reference) and on berthd
with the same assertions (the `daemon` fixture of test_berthd_compat)."""

import json
import re
import socket
import time

import pytest

from test_berthd_compat import LABEL, daemon, events, is_berthd, run_d  # noqa: F401 (daemon is a fixture)

# A shell that exits 3 on SIGTERM (as PID 1 it ignores what it does not trap).
TRAP_TERM = ["busybox", "sh", "-c", 'trap "exit 3" TERM; sleep 300 & wait']


def actions(daemon, cid, since):
    """(Action, signal or exitCode) of the container's events, after
    checking that each carries the container's attributes and only them."""
    time.sleep(0.5)
    out = []
    for e in events(daemon, cid, since):
        attrs = e["Actor"]["Attributes"]
        extra = {"kill": "signal", "die": "exitCode"}.get(e["Action"])
        assert set(attrs) == {"image", "name", LABEL} | ({extra} if extra else set()), e
        assert e["Type"] == "container" and e["id"] == cid and attrs["image"] == "busybox"
        out.append((e["Action"], attrs.get(extra)) if extra else e["Action"])
    return out


def test_kill_stop_and_restart_events(daemon):
    since = int(time.time()) - 1
    cid = run_d(daemon, "fid-killev", *TRAP_TERM)
    daemon.docker("kill", "-s", "USR1", cid)
    daemon.docker("stop", "-t", "10", cid)
    daemon.docker("stop", cid)  # not running: no event
    daemon.docker("restart", "-t", "10", cid)  # a stopped container: start, restart
    daemon.docker("restart", "-t", "10", cid)
    daemon.docker("rm", "-f", cid)
    assert actions(daemon, cid, since) == [
        "create", "start", ("kill", "10"),
        ("kill", "15"), ("die", "3"), "stop",
        "start", "restart",
        ("kill", "15"), ("die", "3"), "stop", "start", "restart",
        ("kill", "9"), ("die", "137"), "destroy"]


def test_stop_timeout_sends_kill_events(daemon):
    since = int(time.time()) - 1
    cid = run_d(daemon, "fid-stopto", "busybox", "sleep", "300")  # PID 1 ignores SIGTERM
    daemon.docker("stop", "-t", "1", cid)
    daemon.docker("rm", cid)
    assert actions(daemon, cid, since) == [
        "create", "start", ("kill", "15"), ("kill", "9"), ("die", "137"), "stop", "destroy"]


PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# dockerd's container.Config fields in its order, those always present.
CONFIG_KEYS = ["Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr",
               "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Image", "Volumes", "WorkingDir",
               "Entrypoint", "OnBuild", "Labels"]


def inspect_config(daemon, name):
    out = daemon.docker("inspect", "--format", "{{json .Config}}", name).stdout
    return json.loads(out)


def expected_config(cid, **changes):
    base = {"Hostname": cid[:12], "Domainname": "", "User": "", "AttachStdin": False,
            "AttachStdout": False, "AttachStderr": False, "Tty": False, "OpenStdin": False,
            "StdinOnce": False, "Env": [PATH], "Cmd": ["true"], "Image": "busybox", "Volumes": None,
            "WorkingDir": "", "Entrypoint": None, "OnBuild": None, "Labels": {LABEL: "1"}}
    return {**base, **changes}


def test_config_of_docker_run_has_dockerds_nulls(daemon):
    cid = run_d(daemon, "fid-cfg1", "--network", "none", "busybox", "true")
    daemon.docker("wait", cid)
    cfg = inspect_config(daemon, cid)
    assert list(cfg) == CONFIG_KEYS
    assert cfg == expected_config(cid)
    cid = run_d(daemon, "fid-cfg2", "--network", "none", "-v", "/data", "-v", "/tmp:/h", "--expose", "90",
                "--expose", "80", "-l", "x=y", "busybox", "true")
    daemon.docker("wait", cid)
    cfg = inspect_config(daemon, cid)
    # Maps come with their keys sorted, as Go writes them.
    assert list(cfg) == CONFIG_KEYS[:6] + ["ExposedPorts"] + CONFIG_KEYS[6:]
    assert list(cfg["ExposedPorts"]) == ["80/tcp", "90/tcp"] and list(cfg["Labels"]) == [LABEL, "x"]
    assert cfg == expected_config(cid, ExposedPorts={"80/tcp": {}, "90/tcp": {}}, Volumes={"/data": {}},
                                  Labels={LABEL: "1", "x": "y"})
    # With its anonymous volume: the dockerd is shared with other files.
    daemon.docker("rm", "-v", "fid-cfg1", "fid-cfg2")


def test_config_from_raw_bodies_like_dockerd(daemon):
    docker = pytest.importorskip("docker")
    api = docker.APIClient(base_url=daemon.host, version="auto", timeout=60)

    def create(**body):
        r = api.post(api._url("/containers/create"), json={"Image": "busybox", "Labels": {LABEL: "1"}, **body})
        return r.status_code, r.json()

    status, out = create(Volumes={}, ExposedPorts={}, Shell=[], OnBuild=[], Entrypoint=[], Cmd=[],
                         StopSignal="", StopTimeout=0, Healthcheck={}, Foo=1, MacAddress="")
    assert status == 201, out
    cfg = api.inspect_container(out["Id"])["Config"]
    # [] stays [] for Entrypoint and OnBuild; an empty Cmd takes the
    # image's; empty maps are null or left out; unknown keys are dropped.
    assert cfg == expected_config(out["Id"], Cmd=["sh"],
                                  Entrypoint=[], OnBuild=[], Healthcheck={}, StopTimeout=0)
    assert list(cfg) == (CONFIG_KEYS[:11] + ["Healthcheck"] + CONFIG_KEYS[11:] + ["StopTimeout"])
    status, out = create(Entrypoint=[""])
    assert (status, out["message"]) == (400, "No command specified")


def test_image_volumes_and_host_name_in_config(daemon):
    daemon.docker("rm", "-f", "fid-volsrc", check=False)
    daemon.docker("create", "--label", LABEL + "=1", "--name", "fid-volsrc", "busybox")
    daemon.docker("commit", "-c", "VOLUME /iv", "-c", "EXPOSE 81", "fid-volsrc", "fid-vol:1")
    daemon.docker("rm", "-f", "fid-vol", check=False)
    cid = daemon.docker("create", "--label", LABEL + "=1", "--name", "fid-vol", "--network", "host",
                        "-v", "/data", "fid-vol:1", "true").stdout.strip()
    cfg = inspect_config(daemon, cid)
    assert cfg["Hostname"] == socket.gethostname()
    assert cfg["Volumes"] == {"/data": {}, "/iv": {}} and list(cfg["Volumes"]) == ["/data", "/iv"]
    assert cfg["ExposedPorts"] == {"81/tcp": {}} and cfg["Image"] == "fid-vol:1"
    daemon.docker("rm", "-f", "-v", cid, "fid-volsrc")


def kill_signals(daemon, cid, since):
    return [a[1] for a in actions(daemon, cid, since) if isinstance(a, tuple) and a[0] == "kill"]


def test_kill_accepts_dockers_signal_names(daemon):
    since = int(time.time()) - 1
    cid = run_d(daemon, "fid-signames", "busybox", "sleep", "300")  # PID 1 ignores what it does not trap
    names = ["IOT", "sigiot", "POLL", "CLD", "SIGCLD", "stkflt", "PWR", "rtmin", "RTMIN+3", "SIGRTMIN+15",
             "RTMAX-14", "sigrtmax-1", "RTMAX", "+5", "010", "31", "34", "64"]
    for name in names:
        daemon.docker("kill", "-s", name, cid)
    assert kill_signals(daemon, cid, since) == [
        "6", "6", "29", "17", "17", "16", "30", "34", "37", "49", "50", "63", "64", "5", "10", "31", "34", "64"]
    for name in ["RTMIN+16", "RTMAX-15", "UNUSED", "SIG", "bogus", "0", "1.5"]:
        out = daemon.docker("kill", "-s", name, cid, check=False)
        assert out.returncode == 1 and "Invalid signal: " + name in out.stderr, (name, out.stderr)
    # A number is parsed, then refused when Linux has no such signal.
    for number, shown in [("32", "32"), ("33", "33"), ("65", "65"), ("-1", "18446744073709551615")]:
        out = daemon.docker("kill", "-s", number, cid, check=False)
        assert out.returncode == 1
        assert ("Error response from daemon: Cannot kill container: %s: The linux daemon does not support "
                "signal %s" % (cid, shown)) in out.stderr
    assert daemon.docker("inspect", "--format", "{{.State.Running}}", cid).stdout.strip() == "true"


def test_stop_signal_names(daemon):
    out = daemon.docker("create", "--label", LABEL + "=1", "--stop-signal", "bogus", "busybox", check=False)
    assert out.returncode == 1 and "Invalid signal: bogus" in out.stderr
    cid = run_d(daemon, "fid-stopsig", "--stop-signal", "IOT", "busybox", "sh", "-c",
                'trap "exit 6" ABRT; trap "exit 7" USR1; sleep 300 & wait')
    daemon.docker("stop", "-t", "10", cid)
    assert daemon.docker("inspect", "--format", "{{.State.ExitCode}}", cid).stdout.strip() == "6"
    if is_berthd(daemon):
        # `docker stop -s` needs API 1.42; Debian's dockerd (1.41) ignores it.
        daemon.docker("start", cid)
        time.sleep(0.5)
        out = daemon.docker("stop", "-s", "bogus", cid, check=False)
        assert out.returncode == 1 and "Invalid signal: bogus" in out.stderr
        daemon.docker("stop", "-s", "sigusr1", "-t", "10", cid)
        assert daemon.docker("inspect", "--format", "{{.State.ExitCode}}", cid).stdout.strip() == "7"


def test_commit_records_its_parent_and_history_rows(daemon):
    daemon.docker("rm", "-f", "fid-commit", check=False)
    daemon.docker("run", "--label", LABEL + "=1", "--name", "fid-commit", "busybox", "sh", "-c", "echo hi > /f")
    base = daemon.docker("image", "inspect", "--format", "{{.Id}}", "busybox").stdout.strip()
    daemon.docker("commit", "-m", "msg", "-a", "me", "-c", 'CMD ["cat","/f"]', "fid-commit", "fid-commit:1")
    img = json.loads(daemon.docker("image", "inspect", "fid-commit:1").stdout)[0]
    assert (img["Parent"], img["Comment"], img["Author"]) == (base, "msg", "me")
    base_rows = daemon.docker("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}",
                              "busybox").stdout.splitlines()
    rows = daemon.docker("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}",
                         "fid-commit:1").stdout.splitlines()
    # The commit's row on top of the parent's; the IDs walk the parents.
    assert rows[0] == img["Id"] + "|sh -c echo hi > /f|msg"
    assert rows[1:] == base_rows and rows[1].startswith(base + "|")
    # A commit of a container of the commit: a chain of two parents.
    daemon.docker("rm", "-f", "fid-commit2", check=False)
    daemon.docker("create", "--label", LABEL + "=1", "--name", "fid-commit2", "fid-commit:1")
    daemon.docker("commit", "fid-commit2", "fid-commit:2")
    ids = daemon.docker("history", "--no-trunc", "--format", "{{.ID}}", "fid-commit:2").stdout.split()
    top = daemon.docker("image", "inspect", "--format", "{{.Id}}|{{.Parent}}|{{.Comment}}", "fid-commit:2").stdout
    assert top.strip() == ids[0] + "|" + img["Id"] + "|"
    assert ids[1:3] == [img["Id"], base]
    daemon.docker("rm", "-f", "fid-commit", "fid-commit2")
    daemon.docker("rmi", "fid-commit:2", "fid-commit:1")


def test_rmi_of_the_last_name_of_a_used_image_takes_force(daemon):
    daemon.docker("rm", "-f", "fid-rmi", check=False)
    daemon.docker("tag", "busybox", "fid-rmi:1")
    daemon.docker("tag", "busybox", "fid-rmi:2")
    daemon.docker("create", "--label", LABEL + "=1", "--name", "fid-rmi", "fid-rmi:1")
    image = daemon.docker("image", "inspect", "--format", "{{.Id}}", "busybox").stdout.strip()
    try:
        daemon.docker("rmi", "busybox")  # other names are left: only untagged
        assert daemon.docker("rmi", "fid-rmi:2").stdout == "Untagged: fid-rmi:2\n"
        last = daemon.docker("rmi", "fid-rmi:1", check=False)
        assert last.returncode == 1
        # Any container of the image is named (other tests' may be older).
        assert re.fullmatch('Error response from daemon: conflict: unable to remove repository reference '
                            '"fid-rmi:1" \\(must force\\) - container [0-9a-f]{12} is using its referenced '
                            'image %s\n' % image[7:19], last.stderr), last.stderr
    finally:
        daemon.docker("tag", image, "busybox")
        daemon.docker("rm", "fid-rmi")
        daemon.docker("rmi", "fid-rmi:1")


def test_network_api_with_bridge_none(daemon):
    # Both daemons run with --bridge none: no default bridge, yet the
    # network API answers for the predefined `host` and `none`.
    lines = daemon.docker("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").stdout.splitlines()
    assert "host host local" in lines and "none null local" in lines
    assert not any(line.startswith("bridge ") for line in lines)
    assert daemon.docker("network", "ls", "-q", "--filter", "driver=null").stdout.split() == [
        daemon.docker("network", "inspect", "--format", "{{.Id}}", "none").stdout.strip()[:12]]
    out = daemon.docker("network", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{json .Containers}}",
                        "none").stdout
    assert out.strip() == "none null local {}"
    out = daemon.docker("network", "rm", "fid-nonet", check=False)
    assert out.returncode == 1 and "Error response from daemon: network fid-nonet not found" in out.stderr
    out = daemon.docker("network", "rm", "host", check=False)
    assert out.returncode == 1 and "host is a pre-defined network and cannot be removed" in out.stderr
    assert daemon.docker("network", "prune", "-f", "--filter", "label=fid-none=1").returncode == 0
    out = daemon.docker("network", "inspect", "fid-nonet", check=False)
    assert out.returncode == 1 and "network fid-nonet not found" in out.stderr
    cid = run_d(daemon, "fid-netoff", "busybox", "sleep", "300")
    out = daemon.docker("network", "disconnect", "fid-nonet", cid, check=False)
    assert out.returncode == 1 and "network fid-nonet not found" in out.stderr
    out = daemon.docker("network", "connect", "fid-nonet", "fid-nocontainer", check=False)
    assert out.returncode == 1 and "No such container: fid-nocontainer" in out.stderr
    daemon.docker("rm", "-f", cid)
