"""More details where berthd must answer the docker CLI 28 as Debian's
dockerd does: the events of kill, stop and restart, the shape of a
container's Config in inspect, signal names, committed images' history
and parents. Every scenario runs on dockerd (the reference) and on berthd
with the same assertions (the `daemon` fixture of test_berthd_compat)."""

import json
import time

from test_berthd_compat import LABEL, daemon, events, run_d  # noqa: F401 (daemon is a fixture)

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
