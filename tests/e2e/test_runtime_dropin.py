"""berth-runtime as a drop-in for runc under the three tools that call runc:
Debian's dockerd (--add-runtime), containerd's runc shim (ctr run
--runc-binary) and podman (--runtime). Each runs the busybox test image
through berth-runtime: output, exit codes, a terminal, exec, pause,
signals and stop. Every scenario also asks berth-runtime itself for the
container's state under the root the tool used, so a silent fall-back to
runc cannot pass."""

import glob
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from berthd_fixture import wait_for
from conftest import Dockerd, build_dir, need_root, need_tool, run

# A shell that turns SIGTERM into a recognisable exit code: proves that a
# stop's signal went through the runtime to the container's init.
TRAP_TERM = "trap 'exit 42' TERM; while :; do sleep 0.1; done"


@pytest.fixture(scope="module")
def runtime():
    need_root()
    path = os.path.join(build_dir(), "apps", "berth-runtime", "berth-runtime")
    if not os.path.exists(path):
        pytest.skip("berth-runtime is not built at " + path)
    return path


def berth_state(runtime, root, cid):
    """The state berth-runtime reads from its own state directory."""
    proc = run([runtime, "--root", root, "state", cid])
    assert proc.returncode == 0, "berth-runtime does not know %s under %s: %s" % (
        cid, root, proc.stderr)
    return json.loads(proc.stdout)


def in_pty(argv, steps, env=None, timeout=30):
    """Runs argv on a fresh pseudo-terminal; steps are (expect, send) pairs.
    Returns (exit code, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env or os.environ)
    seen = b""
    deadline = time.time() + timeout

    def read_some():
        nonlocal seen
        r, _, _ = select.select([fd], [], [], 0.1)
        if not r:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        seen += data
        return bool(data)

    try:
        for expect, send in steps:
            while expect.encode() not in seen:
                if time.time() > deadline or not read_some():
                    raise AssertionError("waiting for %r, terminal showed %r" % (expect, seen[-400:]))
            seen = seen[seen.index(expect.encode()) + len(expect):]
            os.write(fd, send.encode())
        while time.time() < deadline:
            read_some()
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")
        raise AssertionError("the client did not exit; terminal showed %r" % seen[-400:])
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)


INTERACTIVE = [("# ", "echo $((6*7)) $(tty)\n"), ("42 /dev/pts/", "exit 3\n")]


# ---------------------------------------------------------------- dockerd

@pytest.fixture(scope="module")
def docker_berth(runtime, busybox_image):
    need_tool("dockerd")
    need_tool("docker")
    daemon = Dockerd(["--add-runtime", "berth=" + runtime]).start()
    try:
        daemon.docker("load", "-i", busybox_image.archive)
        yield daemon
    finally:
        daemon.docker("rm", "-f", *daemon.docker("ps", "-aq").stdout.split(), check=False)
        daemon.stop()


def docker_runtime_root(daemon):
    # dockerd 20.10 gives the shim's runtime this root for every runtime.
    return os.path.join(daemon.dir, "exec", "runtime-runc", "berth-e2e")


def test_docker_run_output_and_exit_codes(docker_berth):
    out = docker_berth.docker("run", "--rm", "--runtime", "berth", "busybox", "echo", "hello berth")
    assert out.stdout == "hello berth\n"
    for code in (0, 1, 7, 125):
        proc = docker_berth.docker("run", "--rm", "--runtime", "berth", "busybox",
                                   "sh", "-c", "exit %d" % code, check=False)
        assert proc.returncode == code, proc.stderr


def test_docker_interactive_terminal(docker_berth):
    env = dict(os.environ, DOCKER_HOST=docker_berth.host, TERM="xterm")
    code, _ = in_pty(["docker", "run", "--rm", "-it", "--runtime", "berth", "busybox", "sh"],
                     INTERACTIVE, env=env)
    assert code == 3


def test_docker_exec_pause_update_stats_stop(docker_berth, runtime):
    d = docker_berth.docker
    cid = d("run", "-d", "--runtime", "berth", "busybox", "sh", "-c", TRAP_TERM).stdout.strip()
    try:
        state = berth_state(runtime, docker_runtime_root(docker_berth), cid)
        assert state["status"] == "running"
        assert state["pid"] == int(d("inspect", "-f", "{{.State.Pid}}", cid).stdout)

        assert d("exec", cid, "sh", "-c", "echo in-exec; cat /proc/1/cmdline").stdout.startswith(
            "in-exec\nsh\0-c\0")
        assert d("exec", cid, "sh", "-c", "exit 4", check=False).returncode == 4
        assert d("exec", "-u", "1234:5678", cid, "id").stdout.startswith("uid=1234 gid=5678")

        d("pause", cid)
        assert d("inspect", "-f", "{{.State.Status}}", cid).stdout.strip() == "paused"
        assert berth_state(runtime, docker_runtime_root(docker_berth), cid)["status"] == "paused"
        d("unpause", cid)
        assert d("inspect", "-f", "{{.State.Status}}", cid).stdout.strip() == "running"

        d("update", "--memory", "64m", "--memory-swap", "128m", "--pids-limit", "77", cid)
        limits = d("exec", cid, "sh", "-c",
                   "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null"
                   " || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max"
                   " 2>/dev/null || cat /sys/fs/cgroup/pids.max").stdout.split()
        assert limits == ["67108864", "77"]
        stats = json.loads(d("stats", "--no-stream", "--format", "{{json .}}", cid).stdout)
        assert stats["MemUsage"].endswith("/ 64MiB"), stats

        d("stop", "-t", "10", cid)
        assert d("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip() == "42"
    finally:
        d("rm", "-f", cid, check=False)
    assert not os.path.exists(os.path.join(docker_runtime_root(docker_berth), cid))


def test_docker_kill_and_force_remove(docker_berth):
    d = docker_berth.docker
    cid = d("run", "-d", "--runtime", "berth", "busybox", "sleep", "1000").stdout.strip()
    d("kill", "-s", "KILL", cid)
    assert d("wait", cid).stdout.strip() == "137"
    d("rm", cid)
    cid = d("run", "-d", "--runtime", "berth", "busybox", "sleep", "1000").stdout.strip()
    d("rm", "-f", cid)
    assert cid not in d("ps", "-aq", "--no-trunc").stdout


# ------------------------------------------------------------- containerd

# ctr puts each container's cgroup at /<namespace>/<id>; the parent is
# removed again when the daemon stops.
CTR_NAMESPACE = "berth-rt-e2e"

class Containerd:
    """A private containerd (own root, state and sockets) whose runc shim
    is pointed at berth-runtime per container with --runc-binary."""

    def __init__(self, runtime):
        self.dir = tempfile.mkdtemp(prefix="berth-ctd-", dir="/tmp")
        self.socket = os.path.join(self.dir, "c.sock")
        self.runc_root = os.path.join(self.dir, "runc")
        self.runtime = runtime
        config = os.path.join(self.dir, "config.toml")
        with open(config, "w") as f:
            f.write('version = 2\nroot = "%s/root"\nstate = "%s/state"\n'
                    '[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s.ttrpc"\n'
                    '[debug]\n  address = "%s/debug.sock"\n'
                    % (self.dir, self.dir, self.socket, self.socket, self.dir))
        self.log = open(os.path.join(self.dir, "containerd.log"), "w")
        self.proc = subprocess.Popen([shutil.which("containerd"), "--config", config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: self.ctr("version", check=False).returncode == 0, 30):
            self.stop()
            raise RuntimeError("containerd did not come up")

    def ctr(self, *args, check=True, **kw):
        proc = run(["ctr", "-a", self.socket, "-n", CTR_NAMESPACE, *args], **kw)
        if check and proc.returncode != 0:
            raise AssertionError("ctr %s failed (%d): %s" % (" ".join(args), proc.returncode,
                                                             proc.stderr))
        return proc

    def runc_args(self):
        return ["--runc-binary", self.runtime, "--runc-root", self.runc_root]

    def stop(self):
        for task in self.ctr("task", "ls", "-q", check=False).stdout.split():
            self.ctr("task", "kill", "-s", "SIGKILL", task, check=False)
            self.ctr("task", "rm", "-f", task, check=False)
        for c in self.ctr("containers", "ls", "-q", check=False).stdout.split():
            self.ctr("containers", "rm", c, check=False)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        for parent in glob.glob("/sys/fs/cgroup/*/" + CTR_NAMESPACE) + ["/sys/fs/cgroup/" + CTR_NAMESPACE]:
            try:
                os.rmdir(parent)
            except OSError:
                pass
        # containerd leaves its snapshot mounts only for running tasks;
        # a failed test may still have one.
        for line in reversed(open("/proc/self/mounts").read().splitlines()):
            target = line.split()[1]
            if target.startswith(self.dir):
                subprocess.run(["umount", "-l", target], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def containerd(runtime, busybox_image):
    need_tool("containerd")
    need_tool("ctr")
    need_tool("containerd-shim-runc-v2")
    daemon = Containerd(runtime)
    try:
        daemon.ctr("images", "import", "--all-platforms", busybox_image.archive)
        yield daemon
    finally:
        daemon.stop()


IMAGE = "docker.io/library/busybox:latest"


def test_containerd_run_output_and_exit_codes(containerd):
    c = containerd
    out = c.ctr("run", "--rm", *c.runc_args(), IMAGE, "ctd-echo", "echo", "hello berth")
    assert out.stdout == "hello berth\n"
    proc = c.ctr("run", "--rm", *c.runc_args(), IMAGE, "ctd-exit", "sh", "-c", "exit 5",
                 check=False)
    assert proc.returncode == 5, proc.stderr


def test_containerd_terminal(containerd):
    c = containerd
    argv = ["ctr", "-a", c.socket, "-n", CTR_NAMESPACE, "run", "--rm", "-t", *c.runc_args(),
            IMAGE, "ctd-tty", "sh"]
    code, _ = in_pty(argv, INTERACTIVE, env=dict(os.environ, TERM="xterm"))
    assert code == 3


def test_containerd_exec_pause_kill(containerd, runtime):
    c = containerd
    c.ctr("run", "-d", *c.runc_args(), IMAGE, "ctd-long", "sh", "-c", TRAP_TERM)
    try:
        assert wait_for(lambda: "RUNNING" in c.ctr("task", "ls").stdout, 15)
        state = berth_state(runtime, os.path.join(c.runc_root, CTR_NAMESPACE), "ctd-long")
        assert state["status"] == "running"

        out = c.ctr("task", "exec", "--exec-id", "e1", "ctd-long", "sh", "-c",
                    "echo in-exec; exit 4", check=False)
        assert (out.returncode, out.stdout) == (4, "in-exec\n")

        c.ctr("task", "pause", "ctd-long")
        assert "PAUSED" in c.ctr("task", "ls").stdout
        c.ctr("task", "resume", "ctd-long")
        assert "RUNNING" in c.ctr("task", "ls").stdout

        c.ctr("task", "kill", "-s", "SIGTERM", "ctd-long")
        assert wait_for(lambda: "STOPPED" in c.ctr("task", "ls").stdout, 15)
    finally:
        c.ctr("task", "rm", "-f", "ctd-long", check=False)
        c.ctr("containers", "rm", "ctd-long", check=False)
    assert not os.path.exists(os.path.join(c.runc_root, CTR_NAMESPACE, "ctd-long"))


# ----------------------------------------------------------------- podman

class Podman:
    """podman with private storage, run and tmp dirs, the cgroupfs
    manager (no systemd here) and no network. The runtime keeps its default
    --root: podman's exit command (`podman container cleanup`, which runs
    `delete`) does not pass --runtime-flag on, so a private root would
    leave state behind."""

    def __init__(self, runtime):
        self.dir = tempfile.mkdtemp(prefix="berth-pm-", dir="/tmp")
        self.cgroup_tops = set(os.listdir("/sys/fs/cgroup"))
        self.runtime_root = "/run/berth-runtime"
        self.base = ["podman", "--root", os.path.join(self.dir, "root"),
                     "--runroot", os.path.join(self.dir, "run"),
                     "--tmpdir", os.path.join(self.dir, "tmp"),
                     "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
                     "--events-backend", "file", "--runtime", runtime]

    def podman(self, *args, check=True, **kw):
        proc = run(self.base + list(args), **kw)
        if check and proc.returncode != 0:
            raise AssertionError("podman %s failed (%d): %s" % (" ".join(args), proc.returncode,
                                                                proc.stderr))
        return proc

    def stop(self):
        self.podman("rm", "-a", "-f", "-t", "0", check=False)
        for line in reversed(open("/proc/self/mounts").read().splitlines()):
            target = line.split()[1]
            if target.startswith(self.dir):
                subprocess.run(["umount", "-l", target], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.remove_cgroup_leftovers()

    def remove_cgroup_leftovers(self):
        """podman's cgroupfs manager leaves its parent groups (libpod_parent,
        libpod_parent/conmon) and, for v1 controllers that are not mounted
        here, plain directories on the /sys/fs/cgroup tmpfs."""
        for top in os.listdir("/sys/fs/cgroup"):
            path = os.path.join("/sys/fs/cgroup", top)
            if top in self.cgroup_tops or not os.path.isdir(path):
                continue
            if not os.path.ismount(path) and not os.path.exists(os.path.join(path, "cgroup.procs")):
                shutil.rmtree(path, ignore_errors=True)
        parents = [os.path.join("/sys/fs/cgroup", top, "libpod_parent")
                   for top in os.listdir("/sys/fs/cgroup")] + ["/sys/fs/cgroup/libpod_parent"]
        for parent in parents:
            for dirpath, _, _ in sorted(os.walk(parent), key=lambda w: -len(w[0])):
                try:
                    os.rmdir(dirpath)
                except OSError:
                    pass  # still in use (another podman) or not ours


@pytest.fixture(scope="module")
def podman(runtime, busybox_image):
    need_tool("podman")
    need_tool("conmon")
    pm = Podman(runtime)
    try:
        pm.podman("load", "-i", busybox_image.archive)
        yield pm
    finally:
        pm.stop()


# No --ulimit: podman asks for RLIMIT_NOFILE 1048576, more than root holds
# here without CAP_SYS_RESOURCE; berth-runtime clamps it with a warning.
PODMAN_RUN = ["run", "--network", "none"]


def test_podman_run_output_and_exit_codes(podman):
    out = podman.podman(*PODMAN_RUN, "--rm", "busybox", "echo", "hello berth")
    assert out.stdout == "hello berth\n"
    proc = podman.podman(*PODMAN_RUN, "--rm", "busybox", "sh", "-c", "exit 9", check=False)
    assert proc.returncode == 9, proc.stderr


def test_podman_terminal(podman):
    code, _ = in_pty(podman.base + PODMAN_RUN + ["--rm", "-it", "busybox", "sh"], INTERACTIVE,
                     env=dict(os.environ, TERM="xterm"))
    assert code == 3


def test_podman_exec_pause_stop_kill(podman, runtime):
    p = podman.podman
    cid = p(*PODMAN_RUN, "-d", "busybox", "sh", "-c", TRAP_TERM).stdout.strip()
    try:
        assert berth_state(runtime, podman.runtime_root, cid)["status"] == "running"
        out = p("exec", cid, "sh", "-c", "echo in-exec; exit 6", check=False)
        assert (out.returncode, out.stdout) == (6, "in-exec\n")
        p("pause", cid)
        assert p("inspect", "-f", "{{.State.Status}}", cid).stdout.strip() == "paused"
        p("unpause", cid)
        p("stop", "-t", "10", cid)
        assert p("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip() == "42"
    finally:
        p("rm", "-f", "-t", "0", cid, check=False)
    cid = p(*PODMAN_RUN, "-d", "busybox", "sleep", "1000").stdout.strip()
    p("kill", "-s", "KILL", cid)
    assert p("wait", cid).stdout.strip() == "137"
    p("rm", cid)
    assert not os.path.exists(os.path.join(podman.runtime_root, cid))
