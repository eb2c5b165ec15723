"""A private berthd for end-to-end tests: its own data root, exec root,
socket and pid file under a temporary directory.

Networking touches kernel state every berthd on a host shares (the
berth0 bridge, the berth nftables tables, vb* veths), so a test berthd
runs with `--bridge none` unless it is given a network namespace of its
own (`netns`, a name under /run/netns): then it runs inside it with full
networking, and nothing it does is seen by the host or other tests."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import build_dir, run


def berthd_binary():
    path = os.path.join(build_dir(), "apps", "berthd", "berthd")
    if not os.path.exists(path):
        pytest.skip("berthd is not built at " + path)
    return path


class Berthd:
    def __init__(self, extra_args=(), netns=None):
        self.dir = tempfile.mkdtemp(prefix="berth-e2e-", dir="/tmp")
        self.socket = os.path.join(self.dir, "berth.sock")
        self.host = "unix://" + self.socket
        self.pidfile = os.path.join(self.dir, "berthd.pid")
        self.extra_args = list(extra_args)
        self.netns = netns
        self.proc = None
        self.log = None

    def command(self, pidfile=None, config=None):
        if self.netns:
            prefix = ["nsenter", "--net=/run/netns/" + self.netns]
            network = []
        else:
            prefix, network = [], ["--bridge", "none"]
        return prefix + [berthd_binary(), *network, "--data-root", os.path.join(self.dir, "data"),
                "--exec-root", os.path.join(self.dir, "exec"), "-H", self.host,
                "--pidfile", pidfile or self.pidfile, "--log-level", "debug",
                "--config", config or os.path.join(self.dir, "berthd.toml"), *self.extra_args]

    def start(self):
        with open(os.path.join(self.dir, "berthd.toml"), "w") as f:
            f.write("labels = [\"e2e=1\"]\n")
        self.log = open(os.path.join(self.dir, "berthd.log"), "w")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("berthd exited: " + self.read_log())
            if self.ping():
                return self
            time.sleep(0.05)
        raise RuntimeError("berthd did not come up: " + self.read_log())

    def ping(self):
        try:
            return b"200 OK" in self.raw(b"GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        except OSError:
            return False

    def raw(self, data, timeout=5):
        """Sends raw bytes, returns everything until the server closes."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.socket)
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            s.close()

    def read_log(self):
        with open(os.path.join(self.dir, "berthd.log")) as f:
            return f.read()[-6000:]

    def docker(self, *args, check=True, env=None, **kw):
        env = dict(env or os.environ, DOCKER_HOST=self.host)
        env.pop("DOCKER_CONTEXT", None)
        proc = run(["docker", *args], env=env, **kw)
        if check and proc.returncode != 0:
            raise AssertionError("docker %s failed (%d): %s\n%s" % (
                " ".join(args), proc.returncode, proc.stderr, self.read_log()))
        return proc

    def signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def remove_containers(self):
        ids = self.docker("ps", "-aq", check=False).stdout.split()
        if ids:
            self.docker("rm", "-f", *ids, check=False)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def image_tool():
    path = os.path.join(build_dir(), "apps", "berth-image-tool", "berth-image-tool")
    if not os.path.exists(path):
        pytest.skip("berth-image-tool is not built")
    return path


def started_with_busybox(busybox_image, **kw):
    """A started Berthd (Berthd(**kw)) whose data root already holds the
    busybox fixture image, loaded offline with berth-image-tool."""
    daemon = Berthd(**kw)
    out = run([image_tool(), "--root", os.path.join(daemon.dir, "data"), "load", "-i",
               busybox_image.archive])
    assert out.returncode == 0, out.stderr
    return daemon.start()


def docker_py(daemon, timeout=60):
    docker = pytest.importorskip("docker")
    return docker.DockerClient(base_url=daemon.host, version="auto", timeout=timeout)


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()
