"""Private daemons for benchmarks: berthd and Debian's dockerd, each with
its own data root, exec root and socket under /tmp, no networking
(berthd with `--bridge none`), unless berthd is given a network namespace
of its own (`netns`, a name under /run/netns) to network containers in."""

import os
import shutil
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def berthd_binary():
    """The release build when there is one (what users run), else debug."""
    for preset in (os.environ.get("BERTH_BUILD_DIR"), os.path.join(REPO, "build", "release"),
                   os.path.join(REPO, "build", "debug")):
        if preset and os.path.exists(os.path.join(preset, "apps", "berthd", "berthd")):
            return os.path.join(preset, "apps", "berthd", "berthd")
    raise SystemExit("berthd is not built (cmake --preset release && cmake --build --preset release)")


class Daemon:
    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="berth-bench-%s-" % name, dir="/tmp")
        self.socket = os.path.join(self.dir, "d.sock")
        self.host = "unix://" + self.socket
        self.proc = None

    def command(self):
        raise NotImplementedError

    def start(self, timeout=60):
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        env = dict(os.environ, DOCKER_HOST=self.host)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited early; see %s/log" % (self.name, self.dir))
            if subprocess.run(["docker", "version"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return self
            time.sleep(0.2)
        raise RuntimeError("%s did not come up" % self.name)

    def rss_kib(self, pid=None):
        with open("/proc/%d/status" % (pid or self.proc.pid)) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def children(self):
        """Direct children, whichever thread forked them (Go forks from any)."""
        pids = set()
        task_dir = "/proc/%d/task" % self.proc.pid
        for tid in os.listdir(task_dir):
            try:
                with open(os.path.join(task_dir, tid, "children")) as f:
                    pids.update(int(p) for p in f.read().split())
            except OSError:
                pass
        return sorted(pids)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def image_tool():
    path = os.path.join(os.path.dirname(os.path.dirname(berthd_binary())), "berth-image-tool",
                        "berth-image-tool")
    if not os.path.exists(path):
        raise SystemExit("berth-image-tool is not built next to " + berthd_binary())
    return path


def build_image(workdir):
    """The busybox fixture image (tests/fixtures/mkimage.py) as a docker archive."""
    archive = os.path.join(workdir, "busybox.tar")
    subprocess.run(["/usr/bin/python3", os.path.join(REPO, "tests", "fixtures", "mkimage.py"),
                    "busybox", "--archive", archive], check=True, stdout=subprocess.DEVNULL)
    return archive


def preload(berthd, archive):
    """Loads `archive` into a berthd's data root before it starts."""
    subprocess.run([image_tool(), "--root", os.path.join(berthd.dir, "data"), "load", "-i", archive],
                   check=True, stdout=subprocess.DEVNULL)


def start_both(archive):
    """A started berthd and dockerd, each already holding the image in `archive`."""
    berthd, dockerd = Berthd(), Dockerd()
    preload(berthd, archive)
    berthd.start()
    dockerd.start()
    subprocess.run(["docker", "load", "-q", "-i", archive], env=dict(os.environ, DOCKER_HOST=dockerd.host),
                   check=True, stdout=subprocess.DEVNULL)
    return berthd, dockerd


class Berthd(Daemon):
    def __init__(self, netns=None, extra_args=()):
        super().__init__("berthd")
        self.netns = netns
        self.extra_args = list(extra_args)

    def command(self):
        prefix = ["nsenter", "--net=/run/netns/" + self.netns] if self.netns else []
        network = [] if self.netns else ["--bridge", "none"]
        return prefix + [berthd_binary(), *network, "--data-root", os.path.join(self.dir, "data"),
                         "--exec-root", os.path.join(self.dir, "exec"), "-H", self.host,
                         "--pidfile", os.path.join(self.dir, "pid"), "--config", "/dev/null",
                         *self.extra_args]


class Dockerd(Daemon):
    def __init__(self):
        super().__init__("dockerd")

    def command(self):
        return [shutil.which("dockerd"), "--data-root", os.path.join(self.dir, "data"),
                "--exec-root", os.path.join(self.dir, "exec"), "-H", self.host,
                "--pidfile", os.path.join(self.dir, "pid"), "--bridge=none",
                "--iptables=false", "--ip6tables=false",
                "--containerd-namespace", "berth-bench",
                "--containerd-plugins-namespace", "berth-bench-plugins"]
