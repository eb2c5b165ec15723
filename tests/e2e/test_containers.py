"""Containers through berthd, driven by the docker CLI 28 and python3-docker:
run (foreground, detached, --rm, -i, -t), exit codes, logs, ps filters,
inspect, stop/kill/rm, name rules, and re-adoption after kill -9 of berthd."""

import json
import os
import signal
import subprocess
import time

import pytest

from berthd_fixture import docker_py, started_with_busybox, wait_for
from conftest import need_root, need_tool


@pytest.fixture(scope="module")
def berthd(busybox_image):
    need_root()
    need_tool("docker")
    daemon = started_with_busybox(busybox_image)
    yield daemon
    daemon.remove_containers()
    daemon.cleanup()


def test_run_rm_prints_output_and_leaves_nothing(berthd):
    out = berthd.docker("run", "--rm", "busybox", "echo", "hi")
    assert out.stdout == "hi\n"
    assert berthd.docker("ps", "-aq").stdout.strip() == ""


def test_run_exit_codes_match_dockerd(berthd):
    assert berthd.docker("run", "--rm", "busybox", "sh", "-c", "exit 3", check=False).returncode == 3
    missing = berthd.docker("run", "--rm", "busybox", "nonexistent-cmd", check=False)
    assert missing.returncode == 127
    assert "executable file not found" in missing.stderr
    no_image = berthd.docker("run", "--rm", "--pull", "never", "nosuchimage", check=False)
    assert no_image.returncode == 125
    assert "No such image: nosuchimage:latest" in no_image.stderr
    assert berthd.docker("ps", "-aq").stdout.strip() == ""


def test_run_non_executable_gives_126(berthd):
    not_exec = berthd.docker("run", "--rm", "busybox", "/etc/passwd", check=False)
    assert not_exec.returncode == 126, not_exec.stderr


def test_stdout_and_stderr_stay_apart(berthd):
    out = berthd.docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2")
    assert out.stdout == "out\n"
    assert out.stderr == "err\n"


def test_stdin_and_tty(berthd):
    out = berthd.docker("run", "-i", "--rm", "busybox", "cat", input="piped data\n")
    assert out.stdout == "piped data\n"
    tty = berthd.docker("run", "-t", "--rm", "busybox", "sh", "-c", "test -t 1 && echo tty")
    assert tty.stdout == "tty\n"  # universal newlines: the PTY wrote "tty\r\n"


def read_until(fd, needle, timeout=15):
    import select
    seen = b""
    deadline = time.time() + timeout
    while needle not in seen and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_run_interactive_in_a_pty(berthd):
    """docker run -it: raw TTY both ways, resize, exit code of the shell."""
    master, slave = os.openpty()
    proc = subprocess.Popen(["docker", "run", "-it", "--rm", "busybox", "sh"], stdin=slave,
                            stdout=slave, stderr=slave, start_new_session=True,
                            env=dict(os.environ, DOCKER_HOST=berthd.host))
    os.close(slave)
    try:
        os.write(master, b"echo $((6*7)); stty size\n")
        seen = read_until(master, b"42")
        assert b"42" in seen, seen
        os.write(master, b"exit 7\n")
        assert proc.wait(timeout=20) == 7
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


def test_detached_logs_ps_stop_rm(berthd):
    cid = berthd.docker("run", "-d", "--name", "ticker", "--label", "role=ticker", "busybox", "sh", "-c",
                        "i=0; while true; do echo line $i; echo err $i >&2; i=$((i+1)); sleep 0.2; done"
                        ).stdout.strip()
    assert len(cid) == 64
    assert wait_for(lambda: "line 2" in berthd.docker("logs", "ticker").stdout)
    ps = berthd.docker("ps", "--format", "{{.ID}} {{.Names}} {{.Status}}").stdout
    assert cid[:12] + " ticker Up" in ps
    assert berthd.docker("ps", "-q", "--filter", "label=role=ticker").stdout.strip() == cid[:12]
    assert berthd.docker("ps", "-q", "--filter", "label=role=other").stdout.strip() == ""
    assert berthd.docker("ps", "-q", "--filter", "name=tick").stdout.strip() == cid[:12]
    logs = berthd.docker("logs", "ticker")
    assert logs.stdout.startswith("line 0\nline 1\n")
    assert logs.stderr.startswith("err 0\n")
    # --tail counts lines of both streams together, as in the json-file log.
    tail = berthd.docker("logs", "--tail", "2", "-t", "ticker")
    lines = tail.stdout.splitlines() + tail.stderr.splitlines()
    assert len(lines) == 2
    assert all(l.split(" ", 1)[1].startswith(("line ", "err ")) for l in lines)
    assert all(l.split(" ", 1)[0].endswith("Z") for l in lines)
    # A follower sees new lines and ends when the container stops.
    follower = subprocess.Popen(["docker", "logs", "-f", "--tail", "0", "ticker"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True,
                                env=dict(os.environ, DOCKER_HOST=berthd.host))
    time.sleep(0.7)
    start = time.time()
    berthd.docker("stop", "-t", "1", "ticker")
    assert time.time() - start < 10
    followed, _ = follower.communicate(timeout=10)
    assert "line " in followed
    inspect = json.loads(berthd.docker("inspect", "ticker").stdout)[0]
    assert inspect["State"]["Status"] == "exited"
    assert inspect["State"]["ExitCode"] == 137  # sh as PID 1 ignores SIGTERM
    assert inspect["Name"] == "/ticker"
    assert inspect["Config"]["Labels"] == {"role": "ticker"}
    assert "Exited (137)" in berthd.docker("ps", "-a", "--filter", "status=exited").stdout
    berthd.docker("rm", "ticker")
    missing = berthd.docker("inspect", "ticker", check=False)
    assert missing.returncode != 0 and "No such" in missing.stderr


def test_names_conflicts_and_force_remove(berthd):
    berthd.docker("create", "--name", "named", "busybox", "sleep", "100")
    dup = berthd.docker("create", "--name", "named", "busybox", "true", check=False)
    assert dup.returncode != 0
    assert 'The container name "/named" is already in use' in dup.stderr
    bad = berthd.docker("create", "--name", "-bad", "busybox", "true", check=False)
    assert "Invalid container name" in bad.stderr
    berthd.docker("start", "named")
    busy = berthd.docker("rm", "named", check=False)
    assert busy.returncode != 0 and "container is running" in busy.stderr
    berthd.docker("rm", "-f", "named")
    assert berthd.docker("ps", "-aq").stdout.strip() == ""


def test_kill_with_signal_name(berthd):
    berthd.docker("run", "-d", "--name", "victim", "busybox", "sleep", "100")
    berthd.docker("kill", "-s", "KILL", "victim")
    assert wait_for(lambda: "exited" in berthd.docker("inspect", "-f", "{{.State.Status}}", "victim").stdout)
    assert berthd.docker("wait", "victim").stdout.strip() == "137"
    berthd.docker("rm", "victim")


def test_docker_py_run_logs_wait_remove(berthd):
    client = docker_py(berthd)
    assert client.containers.run("busybox", ["echo", "from sdk"], remove=True) == b"from sdk\n"
    c = client.containers.run("busybox", ["sh", "-c", "echo a; exit 4"], detach=True, name="sdk1",
                              labels={"sdk": "1"})
    assert c.wait(timeout=30)["StatusCode"] == 4
    assert c.logs() == b"a\n"
    c.reload()
    assert c.status == "exited" and c.attrs["State"]["ExitCode"] == 4
    assert [x.name for x in client.containers.list(all=True, filters={"label": ["sdk=1"]})] == ["sdk1"]
    c.remove()
    assert client.containers.list(all=True) == []


def test_containers_survive_berthd_kill_9(berthd):
    berthd.docker("run", "-d", "--name", "survivor", "busybox", "sh", "-c",
                  "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done")
    berthd.docker("run", "-d", "--name", "quitter", "busybox", "sh", "-c", "sleep 1; exit 5")
    assert wait_for(lambda: "tick 1" in berthd.docker("logs", "survivor").stdout)
    berthd.proc.send_signal(signal.SIGKILL)
    berthd.proc.wait()
    time.sleep(2)  # the quitter exits while nobody is watching
    berthd.start()
    ps = berthd.docker("ps", "--format", "{{.Names}} {{.Status}}").stdout
    assert "survivor Up" in ps
    quitter = json.loads(berthd.docker("inspect", "quitter").stdout)[0]["State"]
    assert quitter["Status"] == "exited" and quitter["ExitCode"] == 5
    # The log kept growing while berthd was down and keeps growing now.
    lines = berthd.docker("logs", "survivor").stdout.splitlines()
    numbers = [int(l.split()[1]) for l in lines]
    assert numbers == list(range(len(numbers))), "no line may be lost"
    assert wait_for(lambda: len(berthd.docker("logs", "survivor").stdout.splitlines()) > len(lines) + 2)
    berthd.docker("stop", "-t", "0", "survivor")
    assert berthd.docker("inspect", "-f", "{{.State.Status}}", "survivor").stdout.strip() == "exited"
    berthd.docker("rm", "survivor", "quitter")
