"""Shared fixtures for berth's end-to-end tests.

The e2e layer drives real clients that nobody here wrote: the docker CLI
(/usr/local/bin/docker, version 28), Debian's python3-docker SDK, skopeo,
and the incumbents (Debian's dockerd, runc) for side-by-side checks.
Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/e2e.
A test whose client or privilege is missing skips and says why.
"""

import os
import shutil
import subprocess
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKIMAGE = os.path.join(REPO, "tests", "fixtures", "mkimage.py")


def build_dir():
    return os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build", "debug"))


def need_root():
    if os.geteuid() != 0:
        pytest.skip("needs root")


def need_tool(name):
    path = shutil.which(name)
    if not path:
        pytest.skip(name + " is not installed (scripts/install-deps.sh installs it)")
    return path


def run(cmd, **kw):
    """subprocess.run with captured text output and a readable failure."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    proc = subprocess.run(cmd, **kw)
    return proc


class Fixtures:
    """Paths of the busybox test image in its three shapes."""

    def __init__(self, root):
        self.root = root
        self.oci = os.path.join(root, "busybox-oci")
        self.archive = os.path.join(root, "busybox.tar")
        self.rootfs = os.path.join(root, "busybox-rootfs")
        self.image_id = None

    def build(self):
        out = run(["/usr/bin/python3", MKIMAGE, "busybox", "--oci", self.oci,
                   "--archive", self.archive, "--rootfs", self.rootfs], check=True)
        self.image_id = out.stdout.strip()
        return self


@pytest.fixture(scope="session")
def busybox_image(tmp_path_factory):
    if not os.path.exists("/bin/busybox"):
        pytest.skip("busybox-static is not installed")
    return Fixtures(str(tmp_path_factory.mktemp("fixtures"))).build()


class Dockerd:
    """A private instance of Debian's dockerd (the incumbent) with its own
    data root, exec root and socket, no networking side effects."""

    def __init__(self, extra_args=()):
        self.extra_args = list(extra_args)
        # Unix socket paths must stay short (108 bytes).
        self.dir = tempfile.mkdtemp(prefix="berth-dockerd-", dir="/tmp")
        self.socket = os.path.join(self.dir, "d.sock")
        self.host = "unix://" + self.socket
        self.proc = None

    def start(self):
        cmd = [shutil.which("dockerd"), "--data-root", os.path.join(self.dir, "data"),
               "--exec-root", os.path.join(self.dir, "exec"), "-H", self.host,
               "--pidfile", os.path.join(self.dir, "dockerd.pid"),
               "--bridge=none", "--iptables=false", "--ip6tables=false",
               "--containerd-namespace", "berth-e2e",
               "--containerd-plugins-namespace", "berth-e2e-plugins"] + self.extra_args
        self.log = open(os.path.join(self.dir, "dockerd.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dockerd exited: " + self.read_log())
            if self.docker("version", check=False).returncode == 0:
                return self
            time.sleep(0.2)
        raise RuntimeError("dockerd did not come up: " + self.read_log())

    def read_log(self):
        with open(os.path.join(self.dir, "dockerd.log")) as f:
            return f.read()[-4000:]

    def docker(self, *args, check=True, **kw):
        env = dict(os.environ, DOCKER_HOST=self.host)
        proc = run(["docker", *args], env=env, **kw)
        if check and proc.returncode != 0:
            raise AssertionError("docker %s failed (%d): %s" % (
                " ".join(args), proc.returncode, proc.stderr))
        return proc

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        # dockerd leaves its default netns bind mount behind when it stops.
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split()[4] for line in f]
        for target in sorted((m for m in mounts if m.startswith(self.dir + "/")), reverse=True):
            subprocess.run(["umount", "-l", target], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def dockerd():
    need_root()
    need_tool("dockerd")
    need_tool("docker")
    daemon = Dockerd().start()
    yield daemon
    daemon.stop()
