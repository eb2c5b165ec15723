"""Health checks, --init and container/exec lifecycle details, driven with
the docker CLI 28 and python3-docker. Each scenario runs on Debian's dockerd
(the reference) and on berthd and asserts the same observable behaviour:
State.Health (Status, FailingStreak, Log entries), ps STATUS and the
health filter, health_status and exec_* events."""

import json
import time

import pytest

from berthd_fixture import Berthd
from conftest import need_root, need_tool


@pytest.fixture(scope="module", params=["dockerd", "berthd"])
def daemon(request, busybox_image):
    need_root()
    need_tool("docker")
    if request.param == "dockerd":
        d = request.getfixturevalue("dockerd")
        d.docker("load", "-i", busybox_image.archive)
        yield d
        ids = d.docker("ps", "-aq", "--filter", "label=health-e2e", check=False).stdout.split()
        if ids:
            d.docker("rm", "-f", *ids, check=False)
        return
    b = Berthd().start()
    b.docker("load", "-i", busybox_image.archive)
    yield b
    ids = b.docker("ps", "-aq", check=False).stdout.split()
    if ids:
        b.docker("rm", "-f", *ids, check=False)
    b.cleanup()


def is_berthd(daemon):
    return isinstance(daemon, Berthd)


def run_d(daemon, name, *args):
    daemon.docker("rm", "-f", name, check=False)
    return daemon.docker("run", "-d", "--label", "health-e2e=1", "--name", name, *args).stdout.strip()


def state(daemon, name):
    return json.loads(daemon.docker("inspect", "--format", "{{json .State}}", name).stdout)


def wait_health(daemon, name, status, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        h = state(daemon, name).get("Health")
        if h and h["Status"] == status:
            return h
        time.sleep(0.2)
    raise AssertionError("%s never became %s: %s" % (name, status, state(daemon, name)))


def ps_status(daemon, name):
    return daemon.docker("ps", "-a", "--filter", "name=^" + name + "$", "--format", "{{.Status}}").stdout.strip()


def events(daemon, cid, since):
    out = daemon.docker("events", "--since", str(since), "--until", str(int(time.time()) + 1),
                        "--filter", "container=" + cid, "--format", "{{json .}}").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_healthy_cycle_log_status_and_events(daemon):
    since = int(time.time()) - 1
    cid = run_d(daemon, "hc-ok", "--health-cmd", "echo hi; exit 0", "--health-interval", "1s",
                "busybox", "sleep", "300")
    h = state(daemon, "hc-ok")["Health"]
    assert h == {"Status": "starting", "FailingStreak": 0, "Log": []}
    assert ps_status(daemon, "hc-ok").endswith("(health: starting)")
    h = wait_health(daemon, "hc-ok", "healthy")
    assert h["FailingStreak"] == 0
    entry = h["Log"][-1]
    assert sorted(entry) == ["End", "ExitCode", "Output", "Start"]
    assert entry["ExitCode"] == 0 and entry["Output"] == "hi\n"
    assert entry["Start"] <= entry["End"]
    assert ps_status(daemon, "hc-ok").endswith("(healthy)")
    assert daemon.docker("ps", "-q", "--no-trunc", "--filter", "health=healthy").stdout.split().count(cid) == 1
    assert cid not in daemon.docker("ps", "-q", "--no-trunc", "--filter", "health=none").stdout
    config = json.loads(daemon.docker("inspect", "--format", "{{json .Config.Healthcheck}}", "hc-ok").stdout)
    assert config == {"Test": ["CMD-SHELL", "echo hi; exit 0"], "Interval": 1000000000}
    evs = events(daemon, cid, since)
    actions = [e["Action"] for e in evs]
    assert "health_status: healthy" in actions
    assert "exec_create: /bin/sh -c echo hi; exit 0" in actions
    assert "exec_start: /bin/sh -c echo hi; exit 0" in actions
    die = [e for e in evs if e["Action"] == "exec_die"]
    assert die and die[0]["Actor"]["Attributes"]["exitCode"] == "0"
    assert set(die[0]["Actor"]["Attributes"]) >= {"execID", "exitCode", "image", "name"}
    # A stopped container keeps its log; dockerd shows it as unhealthy.
    daemon.docker("stop", "-t", "1", "hc-ok")
    h = state(daemon, "hc-ok")["Health"]
    assert h["Status"] == "unhealthy" and len(h["Log"]) >= 1
    assert cid in daemon.docker("ps", "-aq", "--no-trunc", "--filter", "health=unhealthy").stdout
    # A new start begins at "starting" again, the old log kept.
    daemon.docker("start", "hc-ok")
    h = state(daemon, "hc-ok")["Health"]
    assert h["Status"] == "starting" and h["FailingStreak"] == 0 and len(h["Log"]) >= 1


def test_unhealthy_after_retries_with_stderr_output(daemon):
    since = int(time.time()) - 1
    cid = run_d(daemon, "hc-bad", "--health-cmd", "echo bad >&2; exit 3", "--health-interval", "1s",
                "--health-retries", "2", "busybox", "sleep", "300")
    h = wait_health(daemon, "hc-bad", "unhealthy")
    assert h["FailingStreak"] >= 2
    assert h["Log"][0]["ExitCode"] == 3 and h["Log"][0]["Output"] == "bad\n"
    assert ps_status(daemon, "hc-bad").endswith("(unhealthy)")
    actions = [e["Action"] for e in events(daemon, cid, since)]
    assert "health_status: unhealthy" in actions
    assert "health_status: healthy" not in actions
    assert len(wait_log(daemon, "hc-bad", 5)) == 5  # only the last five are kept


def wait_log(daemon, name, n, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        h = state(daemon, name)["Health"]
        if len(h["Log"]) >= n and h["FailingStreak"] > n:
            return h["Log"]
        time.sleep(0.3)
    raise AssertionError("no %d log entries: %s" % (n, state(daemon, name)))


def test_timeout_and_long_output(daemon):
    run_d(daemon, "hc-slow", "--health-cmd", "sleep 5", "--health-interval", "1s", "--health-timeout", "1s",
          "--health-retries", "1", "busybox", "sleep", "300")
    run_d(daemon, "hc-long", "--health-cmd", "head -c 5000 /dev/zero | tr '\\0' x", "--health-interval", "1s",
          "busybox", "sleep", "300")
    h = wait_health(daemon, "hc-slow", "unhealthy")
    assert h["Log"][0]["ExitCode"] == -1
    assert h["Log"][0]["Output"] == "Health check exceeded timeout (1s)"
    h = wait_health(daemon, "hc-long", "healthy")
    assert h["Log"][0]["Output"] == "x" * 4096 + "..."


def test_cmd_form_start_period_and_none(daemon):
    api = pytest.importorskip("docker").DockerClient(base_url=daemon.host, version="auto", timeout=60)
    for name in ("hc-cmd", "hc-none"):
        daemon.docker("rm", "-f", name, check=False)
    c = api.containers.run("busybox", ["sleep", "300"], name="hc-cmd", detach=True, labels={"health-e2e": "1"},
                           healthcheck={"test": ["CMD", "false"], "interval": 500_000_000, "retries": 1,
                                        "start_period": 60_000_000_000})
    time.sleep(4)
    c.reload()
    h = c.attrs["State"]["Health"]
    # Failures inside the start period do not count while it never passed.
    assert h["Status"] == "starting" and h["FailingStreak"] == 0 and h["Log"][0]["ExitCode"] == 1
    api.containers.run("busybox", ["sleep", "300"], name="hc-none", detach=True, labels={"health-e2e": "1"},
                       healthcheck={"test": ["NONE"]})
    assert "Health" not in state(daemon, "hc-none")
    assert "hc-none" in daemon.docker("ps", "--filter", "health=none", "--format", "{{.Names}}").stdout
    bad = daemon.docker("ps", "--filter", "health=bogus", check=False)
    assert bad.returncode == 1
    assert "Unrecognised filter value for health: bogus" in bad.stderr
    bad = daemon.docker("run", "--rm", "--health-interval", "100us", "busybox", "true", check=False)
    assert bad.returncode == 125 and "Interval in Healthcheck cannot be less than 1ms" in bad.stderr
    api.close()


def test_health_survives_daemon_restart(daemon):
    if not is_berthd(daemon):
        pytest.skip("restarts berthd only (dockerd here runs without live-restore)")
    run_d(daemon, "hc-keep", "--health-cmd", "true", "--health-interval", "1s", "busybox", "sleep", "300")
    wait_health(daemon, "hc-keep", "healthy")
    daemon.stop()
    daemon.start()
    h = state(daemon, "hc-keep")["Health"]
    assert h["Status"] == "healthy"
    last = h["Log"][-1]["Start"]
    deadline = time.time() + 20
    while time.time() < deadline and state(daemon, "hc-keep")["Health"]["Log"][-1]["Start"] == last:
        time.sleep(0.3)
    assert state(daemon, "hc-keep")["Health"]["Log"][-1]["Start"] != last, "probes were not re-armed"


def test_init_is_pid_1_and_passes_exit_codes(daemon):
    out = daemon.docker("run", "--rm", "--init", "busybox", "ps", "-o", "pid,args").stdout.splitlines()
    assert out[1].split(None, 1) == ["1", "/sbin/docker-init -- ps -o pid,args"]
    missing = daemon.docker("run", "--rm", "--init", "busybox", "nope", check=False)
    assert missing.returncode == 127 and "nope" in missing.stderr
    killed = daemon.docker("run", "--rm", "--init", "busybox", "sh", "-c", "kill -TERM $$; exit 3", check=False)
    assert killed.returncode == 143
    assert daemon.docker("run", "--rm", "--init", "busybox", "sh", "-c", "exit 7", check=False).returncode == 7
    mount = daemon.docker("run", "--rm", "--init", "busybox", "sh", "-c",
                          "grep ' /sbin/docker-init ' /proc/self/mountinfo").stdout
    assert " ro," in mount or " ro " in mount


def test_init_reaps_orphans_and_forwards_stop(daemon):
    # The orphaned `sleep 1` becomes a zombie under a PID 1 that never
    # waits (exec sleep), unless the init reaps it.
    script = "(sleep 1 &); exec sleep 60"
    run_d(daemon, "init-z", "--init", "busybox", "sh", "-c", script)
    run_d(daemon, "noinit-z", "busybox", "sh", "-c", script)
    time.sleep(3)
    ps = lambda name: daemon.docker("exec", name, "ps", "-o", "stat,comm").stdout.split("\n")[1:]
    assert not [line for line in ps("init-z") if line.startswith("Z")]
    assert [line for line in ps("noinit-z") if line.startswith("Z")]
    # sleep ignores SIGTERM as PID 1; behind the init it gets it and dies.
    start = time.time()
    daemon.docker("stop", "-t", "20", "init-z")
    assert time.time() - start < 10
    assert state(daemon, "init-z")["ExitCode"] == 143
    daemon.docker("rm", "-f", "noinit-z")
