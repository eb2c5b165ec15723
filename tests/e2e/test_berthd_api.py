"""berthd's system endpoints driven by the real docker CLI 28 and Debian's
python3-docker, plus hostile raw requests."""

import json
import os
import platform
import re
import signal
import subprocess
import threading
import time

import pytest

from berthd_fixture import Berthd, docker_py
from conftest import need_root, need_tool


@pytest.fixture(scope="module")
def berthd():
    need_root()
    daemon = Berthd().start()
    yield daemon
    daemon.cleanup()


def test_docker_version(berthd):
    need_tool("docker")
    out = berthd.docker("version", "--format", "{{json .Server}}").stdout
    server = json.loads(out)
    assert server["ApiVersion"] == "1.44"
    assert server["MinAPIVersion"] == "1.24"
    assert server["KernelVersion"] == platform.release()
    assert server["Os"] == "linux"
    text = berthd.docker("version").stdout
    assert re.search(r"API version:\s+1\.44 \(minimum version 1\.24\)", text), text


def test_docker_info_reports_this_host(berthd):
    need_tool("docker")
    info = json.loads(berthd.docker("info", "--format", "{{json .}}").stdout)
    assert info["NCPU"] == len(os.sched_getaffinity(0))
    with open("/proc/meminfo") as f:
        kib = int(f.readline().split()[1])
    assert info["MemTotal"] == kib * 1024
    assert info["KernelVersion"] == platform.release()
    assert info["DockerRootDir"] == os.path.join(berthd.dir, "data")
    assert info["Labels"] == ["e2e=1"]  # from the --config file
    assert info["Containers"] == 0
    text = berthd.docker("info").stdout
    assert "Cgroup Version: " in text and "Swarm: inactive" in text


def test_docker_system_df(berthd):
    need_tool("docker")
    out = berthd.docker("system", "df").stdout
    assert "Images" in out and "Containers" in out and "Local Volumes" in out


def test_docker_events_streams_and_ends_at_until(berthd):
    need_tool("docker")
    now = int(time.time())
    env = dict(os.environ, DOCKER_HOST=berthd.host)
    proc = subprocess.Popen(["docker", "events", "--since", str(now), "--until", str(now + 3),
                             "--format", "{{json .}}"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    berthd.signal(signal.SIGHUP)  # dockerd's "daemon reload" event
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    reloads = [e for e in events if e["Type"] == "daemon" and e["Action"] == "reload"]
    assert reloads, out
    assert reloads[0]["Actor"]["Attributes"]["labels"] == "[e2e=1]"


def test_docker_events_filters(berthd):
    need_tool("docker")
    now = int(time.time())
    berthd.signal(signal.SIGHUP)
    time.sleep(0.3)
    until = str(int(time.time()) + 1)
    shown = berthd.docker("events", "--since", str(now - 1), "--until", until,
                          "--filter", "type=daemon", "--format", "{{.Action}}").stdout
    hidden = berthd.docker("events", "--since", str(now - 1), "--until", until,
                           "--filter", "type=container", "--format", "{{.Action}}").stdout
    assert "reload" in shown
    assert "reload" not in hidden
    bad = berthd.docker("events", "--filter", "colour=red", "--until", until, check=False)
    assert bad.returncode != 0
    assert "invalid filter 'colour'" in bad.stderr


def test_docker_py_version_info_ping(berthd):
    client = docker_py(berthd)
    assert client.ping() is True
    version = client.version()
    assert version["ApiVersion"] == "1.44"
    info = client.info()
    assert info["NCPU"] == len(os.sched_getaffinity(0))
    assert info["OSType"] == "linux"
    assert client.api.df()["Images"] == []


def test_docker_py_events_generator(berthd):
    client = docker_py(berthd)
    start = time.time()
    threading.Timer(0.5, lambda: berthd.signal(signal.SIGHUP)).start()
    got = list(client.events(since=int(start), until=int(start) + 2, decode=True))
    assert any(e.get("Action") == "reload" for e in got), got


def test_unversioned_version_for_compose(berthd):
    # docker-compose 1.29 negotiates with the unversioned GET /version.
    reply = berthd.raw(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, body = reply.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["ApiVersion"] == "1.44"


@pytest.mark.parametrize("request_bytes,status,message", [
    (b"GET /v1.99/info HTTP/1.1\r\nHost: x\r\n\r\n", b"400",
     b"client version 1.99 is too new. Maximum supported API version is 1.50"),
    (b"GET /v1.44/nope HTTP/1.1\r\nHost: x\r\n\r\n", b"404", b"page not found"),
    (b"GET /events?filters=%7B HTTP/1.1\r\nHost: x\r\n\r\n", b"400", b"invalid filter"),
    (b"GET /info%ZZ HTTP/1.1\r\nHost: x\r\n\r\n", b"400", b"invalid URL escape"),
    (b"GET /v1.44/../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", b"404", b"page not found"),
    (b"BREW /coffee HTCPCP/1.0\r\n\r\n", b"400", b"Bad Request"),
    (b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 9\r\n\r\n{\"Image\":", b"400", b"invalid JSON"),
])
def test_malformed_requests_get_docker_errors(berthd, request_bytes, status, message):
    reply = berthd.raw(request_bytes.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
                       if b"HTTP/1.1" in request_bytes else request_bytes)
    assert reply.split(b" ")[1] == status, reply
    assert message in reply, reply
    assert berthd.ping()


def test_huge_bodies_and_headers_do_not_hurt(berthd):
    big = b"x" * (64 << 20)
    reply = berthd.raw(b"POST /v1.44/build HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                       % len(big) + big, timeout=10)
    assert reply.startswith(b"HTTP/1.1 404"), reply[:200]
    reply = berthd.raw(b"GET /_ping HTTP/1.1\r\nHost: x\r\nX: " + b"a" * (2 << 20) + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431"), reply[:200]
    assert berthd.ping()
    client = docker_py(berthd)
    assert client.ping()


def test_many_concurrent_clients(berthd):
    client_errors = []

    def worker():
        try:
            c = docker_py(berthd)
            for _ in range(20):
                assert c.version()["ApiVersion"] == "1.44"
        except Exception as e:  # noqa: BLE001 - reported below
            client_errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not client_errors


def test_sigterm_stops_cleanly_and_removes_files():
    need_root()
    daemon = Berthd().start()
    try:
        assert os.path.exists(daemon.pidfile)
        assert daemon.stop() == 0
        assert not os.path.exists(daemon.socket)
        assert not os.path.exists(daemon.pidfile)
    finally:
        daemon.cleanup()


def test_second_daemon_on_the_same_socket_refuses():
    need_root()
    first = Berthd().start()
    try:
        second = subprocess.run(first.command(pidfile=first.pidfile + "2"),
                                capture_output=True, text=True, timeout=30)
        assert second.returncode != 0
        assert "another daemon is listening" in second.stderr + second.stdout
        assert first.ping()
    finally:
        first.cleanup()


def test_several_listeners():
    need_root()
    daemon = Berthd()
    extra = os.path.join(daemon.dir, "docker.sock")
    daemon.extra_args = ["-H", "unix://" + extra, "-H", daemon.host]  # a repeat is ignored
    try:
        daemon.start()
        env = dict(os.environ, DOCKER_HOST="unix://" + extra)
        out = subprocess.run(["docker", "version", "--format", "{{.Server.APIVersion}}"], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == "1.44", out.stderr
        assert oct(os.stat(extra).st_mode & 0o777) == "0o660"
    finally:
        daemon.cleanup()


def test_bad_config_is_reported():
    need_root()
    daemon = Berthd()
    try:
        with open(os.path.join(daemon.dir, "bad.toml"), "w") as f:
            f.write("data_root = \"/x\"\n")
        proc = subprocess.run(daemon.command(config=os.path.join(daemon.dir, "bad.toml")),
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 1
        assert 'unknown key "data_root"' in proc.stderr
    finally:
        daemon.cleanup()


def test_info_version_df_have_every_field_dockerd_has(berthd, dockerd):
    """Field-for-field against the incumbent: whatever a client can read from
    Debian's dockerd it can read from berthd."""
    def get(daemon_socket, path):
        import http.client
        import socket as pysocket

        class Conn(http.client.HTTPConnection):
            def connect(self):
                self.sock = pysocket.socket(pysocket.AF_UNIX, pysocket.SOCK_STREAM)
                self.sock.connect(daemon_socket)

        c = Conn("localhost")
        c.request("GET", path)
        return json.loads(c.getresponse().read())

    for path in ("/v1.41/info", "/v1.41/version", "/v1.41/system/df"):
        theirs = get(dockerd.socket, path)
        ours = get(berthd.socket, path)
        assert sorted(set(theirs) - set(ours)) == [], path
        for key in ("Swarm", "RegistryConfig", "Plugins"):
            if key in theirs:
                assert sorted(set(theirs[key]) - set(ours[key])) == [], key


def test_oldest_and_newest_api_versions(berthd):
    need_tool("docker")
    for version in ("1.24", "1.41", "1.44"):
        out = berthd.docker("info", "--format", "{{.NCPU}}",
                            env=dict(os.environ, DOCKER_API_VERSION=version)).stdout
        assert out.strip() == str(len(os.sched_getaffinity(0)))
