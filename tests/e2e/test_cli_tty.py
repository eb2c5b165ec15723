"""Interactive `berth run -it` in a pseudo-terminal against dockerd: typing
reaches the shell, the window size follows SIGWINCH (resize), the exit code
comes back, and ctrl-p ctrl-q detaches leaving the container running."""

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time

import pytest

from cli_compare import berth_binary


@pytest.fixture(scope="module")
def berth(dockerd, busybox_image):
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    dockerd.docker("load", "-i", busybox_image.archive)
    return path


class Pty:
    def __init__(self, argv, env, rows=24, cols=80):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.set_size(rows, cols)
        self.buf = b""

    def set_size(self, rows, cols):
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def expect(self, needle, timeout=20):
        deadline = time.time() + timeout
        while needle.encode() not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; got %r" % (needle, self.buf[-500:]))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError("EOF waiting for %r; got %r" % (needle, self.buf[-500:]))
                self.buf += data
        idx = self.buf.index(needle.encode()) + len(needle)
        self.buf = self.buf[idx:]

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def wait(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            # Drain output so the child never blocks on a full pty.
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    os.read(self.fd, 4096)
                except OSError:
                    pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the CLI did not exit")


def env_for(dockerd):
    return dict(os.environ, DOCKER_HOST=dockerd.host, TERM="xterm")


def test_run_it_typing_resize_exit_code(dockerd, berth):
    p = Pty([berth, "run", "-it", "--rm", "busybox", "sh"], env_for(dockerd), rows=30, cols=100)
    p.expect("# ")
    p.send("stty size\r")
    p.expect("30 100")
    p.set_size(40, 132)
    os.kill(p.pid, signal.SIGWINCH)
    time.sleep(0.5)
    p.send("stty size\r")
    p.expect("40 132")
    p.send("echo typed-$((6*7))\r")
    p.expect("typed-42")
    p.send("exit 7\r")
    assert p.wait() == 7


def test_detach_keys_leave_container_running(dockerd, berth):
    p = Pty([berth, "run", "-it", "--name", "tty1", "busybox", "sh"], env_for(dockerd))
    p.expect("# ")
    p.send(b"\x10\x11")
    assert p.wait() == 0
    state = dockerd.docker("inspect", "--format", "{{.State.Running}}", "tty1").stdout.strip()
    assert state == "true"
    # Re-attach and leave through the shell.
    p = Pty([berth, "attach", "tty1"], env_for(dockerd))
    time.sleep(0.5)
    p.send("echo back-$((1+1))\r")
    p.expect("back-2")
    p.send("exit 5\r")
    assert p.wait() == 5
    dockerd.docker("rm", "tty1")


def test_exec_it_and_events(dockerd, berth):
    dockerd.docker("run", "-d", "--name", "tty2", "busybox", "sleep", "60")
    try:
        p = Pty([berth, "exec", "-it", "tty2", "sh"], env_for(dockerd), rows=33, cols=90)
        p.expect("# ")
        p.send("stty size\r")
        p.expect("33 90")
        p.send("exit 9\r")
        assert p.wait() == 9
    finally:
        dockerd.docker("rm", "-f", "tty2")
    # The same history through both CLIs' event printers.
    # An absolute --until a second ahead: "0s" raced dockerd's own event
    # timestamps and left both CLIs with an empty history once in CI.
    until = f"{time.time() + 1:.3f}"
    args = ["events", "--since", "10m", "--until", until, "--filter", "container=tty2",
            "--filter", "event=create"]
    env = env_for(dockerd)
    import subprocess
    want = subprocess.run(["docker", *args], env=env, capture_output=True, text=True, timeout=30)
    got = subprocess.run([berth, *args], env=env, capture_output=True, text=True, timeout=30)
    assert (got.returncode, got.stdout) == (want.returncode, want.stdout)
    assert " container create " in got.stdout
