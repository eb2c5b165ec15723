"""Signal proxying without a TTY: `run` (attached, no -t), `attach` and
`start -a` forward the signals they receive to the container (POST
/containers/{id}/kill?signal=...), and `--sig-proxy=false` turns that off.
The docker CLI and berth run the same scenario against the same daemon
(dockerd and berthd); the container's shell traps show what arrived."""

import os
import select
import signal
import subprocess
import time

import pytest

from berthd_fixture import Berthd
from cli_compare import berth_binary

TRAPS = ("trap 'echo got-USR1' USR1; trap 'echo got-HUP' HUP; trap 'echo got-INT' INT; "
         "trap 'echo got-TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done")


@pytest.fixture(scope="module")
def berth():
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    return path


@pytest.fixture(scope="module", params=["dockerd", "berthd"])
def daemon(request, busybox_image):
    if request.param == "dockerd":
        d = request.getfixturevalue("dockerd")
        d.docker("load", "-i", busybox_image.archive)
        yield d
        return
    d = Berthd().start()
    d.docker("load", "-i", busybox_image.archive)
    yield d
    ids = d.docker("ps", "-aq", check=False).stdout.split()
    if ids:
        d.docker("rm", "-f", *ids, check=False)
    d.cleanup()


def programs(berth):
    return [("docker", "docker"), ("berth", berth)]


class Cli:
    """A CLI process with its stdout read line by line (no TTY)."""

    def __init__(self, program, host, args):
        env = dict(os.environ, DOCKER_HOST=host)
        env.pop("BERTH_HOST", None)
        self.proc = subprocess.Popen([program, *args], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = b""

    def expect(self, needle, timeout=20):
        deadline = time.time() + timeout
        while needle.encode() not in self.out:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; got %r" % (needle, self.out))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    raise AssertionError("EOF waiting for %r; got %r (stderr %r)" % (
                        needle, self.out, self.proc.stderr.read()))
                self.out += chunk

    def signal(self, signo):
        self.proc.send_signal(signo)

    def wait(self, timeout=30):
        rest, err = self.proc.communicate(timeout=timeout)
        self.out += rest
        return self.proc.returncode, err.decode()


def trap_round(cli, signals=(signal.SIGUSR1, signal.SIGHUP, signal.SIGINT)):
    """USR1, HUP and INT reach the shell's traps; TERM ends it with 7."""
    cli.expect("ready")
    for signo in signals:
        word = "got-" + signal.Signals(signo).name[3:]
        cli.signal(signo)
        cli.expect(word)
    cli.signal(signal.SIGTERM)
    cli.expect("got-TERM")
    return cli.wait()


def test_run_forwards_signals(daemon, berth):
    results = {}
    for label, program in programs(berth):
        cli = Cli(program, daemon.host, ["run", "--rm", "busybox", "sh", "-c", TRAPS])
        rc, err = trap_round(cli)
        results[label] = (rc, cli.out.decode())
        assert rc == 7, (label, err)
    assert results["berth"] == results["docker"]


def test_sig_proxy_false_does_not_forward(daemon, berth):
    """The container never sees the signals; like docker, the CLI counts
    SIGINT/SIGTERM and gives up on the third (exit 1), the container runs on."""
    results = {}
    for label, program in programs(berth):
        name = "nosig-" + label
        cli = Cli(program, daemon.host, ["run", "--name", name, "--sig-proxy=false", "busybox", "sh", "-c", TRAPS])
        cli.expect("ready")
        for signo in (signal.SIGTERM, signal.SIGINT):
            cli.signal(signo)
            time.sleep(0.3)
        alive = cli.proc.poll() is None
        cli.signal(signal.SIGTERM)
        rc, err = cli.wait()
        time.sleep(0.3)
        state = daemon.docker("inspect", "--format", "{{.State.Running}}", name).stdout.strip()
        logs = daemon.docker("logs", name).stdout
        daemon.docker("rm", "-f", name)
        results[label] = (alive, rc, err, state, "got-" in logs)
    assert results["docker"] == (True, 1, "\ngot 3 SIGTERM/SIGINTs, forcefully exiting\n", "true", False)
    assert results["berth"] == results["docker"]


def test_attach_and_start_forward_signals(daemon, berth):
    ticking = TRAPS.replace("echo ready; while true; do sleep 0.1; done",
                            "while true; do echo ready; sleep 0.2; done")
    for label, program in programs(berth):
        name = "sig-" + label
        daemon.docker("run", "-d", "--name", name, "busybox", "sh", "-c", ticking)
        try:
            rc, err = trap_round(Cli(program, daemon.host, ["attach", name]))
            assert rc == 7, (label, "attach", err)
            # docker 28's start -a also ends on the first SIGINT/SIGTERM (its
            # context is cancelled; berth keeps attached), so only USR1/HUP here.
            cli = Cli(program, daemon.host, ["start", "-a", name])
            cli.expect("ready")
            for signo, word in ((signal.SIGUSR1, "got-USR1"), (signal.SIGHUP, "got-HUP")):
                cli.signal(signo)
                cli.expect(word)
            daemon.docker("kill", name)
            rc, err = cli.wait()
            assert rc == 137, (label, "start -a", err)
        finally:
            daemon.docker("rm", "-f", name, check=False)
