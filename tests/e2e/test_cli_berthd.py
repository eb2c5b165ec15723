"""berth against berthd for what berthd serves today (ping, version, info,
events, system df), compared with the docker CLI on the same daemon.
More of the scenarios in test_cli_compare.py apply as berthd gains routes."""

import os
import signal
import subprocess
import time

import pytest

from berthd_fixture import Berthd
from cli_compare import berth_binary, cli_run, run_scenario, server_section


@pytest.fixture(scope="module")
def berth():
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    return path


@pytest.fixture(scope="module")
def berthd():
    daemon = Berthd().start()
    yield daemon
    daemon.stop()
    daemon.cleanup()


def test_version_info_df_match_docker(berthd, berth):
    steps = [
        (["version"], server_section),
        (["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}"], None),
        (["info"], server_section),
        (["info", "--format", "{{.Name}} {{.NCPU}} {{json .Labels}} {{.Images}}"], None),
    ]
    want = run_scenario("docker", berthd.host, steps)
    got = run_scenario(berth, berthd.host, steps)
    assert got == want


def test_negotiates_api_version(berthd, berth):
    rc, out, _ = cli_run(berth, berthd.host, ["version"])
    assert rc == 0
    client = out.split("Server:")[0]
    assert "API version:       1.44 (downgraded from 1.50)" in client


def test_events_stream_sees_reload(berthd, berth):
    env = dict(os.environ, DOCKER_HOST=berthd.host)
    since = str(int(time.time()) - 1)
    proc = subprocess.Popen([berth, "events", "--since", since, "--filter", "type=daemon"],
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        berthd.signal(signal.SIGHUP)
        line = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert " daemon reload " in line, line
    until = str(int(time.time()) + 1)
    rc_b, out_b, _ = cli_run(berth, berthd.host, ["events", "--since", since, "--until", until,
                                                  "--filter", "type=daemon", "--format", "{{.Type}} {{.Action}}"])
    rc_d, out_d, _ = cli_run("docker", berthd.host, ["events", "--since", since, "--until", until,
                                                      "--filter", "type=daemon", "--format", "{{.Type}} {{.Action}}"])
    assert (rc_b, out_b) == (rc_d, out_d)
    assert "daemon reload" in out_b


def test_unreachable_daemon(berth):
    rc, out, err = cli_run(berth, "unix:///tmp/berth-no-such.sock", ["version"])
    assert rc == 1
    assert "Cannot connect to the Docker daemon at unix:///tmp/berth-no-such.sock" in err
