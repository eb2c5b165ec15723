"""POST /commit on dockerd (the reference) and berthd, with the docker CLI
28 and python3-docker: the image's config comes from the container's
(overridden by the request's Config and --change lines), the events are
dockerd's (pause, commit, unpause), the committed image runs, and an image
health check committed through the API applies to new containers."""

import json
import time

import pytest

from test_berthd_health import daemon, run_d, state, wait_health  # noqa: F401 (fixture)


def image_config(daemon, ref):
    return json.loads(daemon.docker("image", "inspect", "--format", "{{json .}}", ref).stdout)


def test_commit_cli_config_events_and_run(daemon):
    since = int(time.time()) - 1
    cid = run_d(daemon, "cm1", "--label", "a=b", "-e", "FOO=1", "busybox", "sh", "-c", "echo x > /x; sleep 300")
    time.sleep(1)
    daemon.docker("rmi", "-f", "snap:1", check=False)
    out = daemon.docker("commit", "-m", "msg", "-a", "me", "-c", "ENV BAR=2", "cm1", "snap:1").stdout.strip()
    assert out.startswith("sha256:")
    img = image_config(daemon, "snap:1")
    assert img["Id"] == out
    assert img["Comment"] == "msg" and img["Author"] == "me"
    assert img["Config"]["Cmd"] == ["sh", "-c", "echo x > /x; sleep 300"]
    assert "FOO=1" in img["Config"]["Env"] and "BAR=2" in img["Config"]["Env"]
    assert img["Config"]["Labels"] == {"a": "b", "health-e2e": "1"}
    assert daemon.docker("run", "--rm", "snap:1", "cat", "/x").stdout == "x\n"
    history = daemon.docker("history", "--format", "{{.CreatedBy}}|{{.Comment}}", "snap:1").stdout.splitlines()
    assert history[0] == "sh -c echo x > /x; sleep 300|msg"
    evs = daemon.docker("events", "--since", str(since), "--until", str(int(time.time()) + 1),
                        "--filter", "container=" + cid, "--format", "{{json .}}").stdout.splitlines()
    actions = [json.loads(e)["Action"] for e in evs]
    assert [a for a in actions if a in ("pause", "commit", "unpause")] == ["pause", "commit", "unpause"]
    commit = [json.loads(e) for e in evs if json.loads(e)["Action"] == "commit"][0]
    attrs = commit["Actor"]["Attributes"]
    assert attrs["comment"] == "msg" and attrs["imageID"] == out and attrs["imageRef"] == "snap:1"
    assert state(daemon, "cm1")["Running"] and not state(daemon, "cm1")["Paused"]


def test_commit_errors(daemon):
    missing = daemon.docker("commit", "nope", "x:1", check=False)
    assert missing.returncode == 1 and "No such container: nope" in missing.stderr
    run_d(daemon, "cm-err", "busybox", "sleep", "300")
    bad = daemon.docker("commit", "cm-err", "BAD", check=False)
    assert bad.returncode == 1
    assert "invalid reference format" in bad.stderr and "must be lowercase" in bad.stderr


def test_commit_sdk_config_pause_and_image_healthcheck(daemon):
    docker = pytest.importorskip("docker")
    api = docker.DockerClient(base_url=daemon.host, version="auto", timeout=60)
    since = int(time.time()) - 1
    run_d(daemon, "cm2", "busybox", "sh", "-c", "echo y > /y; sleep 300")
    time.sleep(1)
    c = api.containers.get("cm2")
    img = c.commit(repository="snap2", tag="t",
                   conf={"Cmd": ["cat", "/y"], "Env": ["Z=9"],
                         "Healthcheck": {"Test": ["CMD-SHELL", "test -f /y"], "Interval": 1000000000}})
    assert img.attrs["Config"]["Cmd"] == ["cat", "/y"]
    assert "Z=9" in img.attrs["Config"]["Env"]
    assert api.containers.run("snap2:t", remove=True) == b"y\n"
    actions = [e["Action"] for e in api.events(since=since, until=int(time.time()) + 1, decode=True,
                                               filters={"container": c.id})]
    assert "commit" in actions and "pause" in actions and "unpause" in actions
    daemon.docker("commit", "--pause=false", "cm2", "snap2:np")
    evs = [e for e in api.events(since=since, until=int(time.time()) + 1, decode=True,
                                 filters={"container": c.id})]
    refs = [e["Actor"]["Attributes"].get("imageRef") for e in evs if e["Action"] == "commit"]
    assert refs == ["snap2:t", "snap2:np"]
    assert [e["Action"] for e in evs].count("pause") == 1
    api.images.remove("snap2:np")
    # The image's HEALTHCHECK applies to its containers.
    run_d(daemon, "cm-h", "snap2:t", "sleep", "300")
    assert json.loads(daemon.docker("inspect", "--format", "{{json .Config.Healthcheck}}", "cm-h").stdout) == {
        "Test": ["CMD-SHELL", "test -f /y"], "Interval": 1000000000}
    wait_health(daemon, "cm-h", "healthy")
    daemon.docker("rm", "-f", "cm-h")
    api.images.remove("snap2:t")
    api.close()
