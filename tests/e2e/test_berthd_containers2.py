"""Container operations beyond the lifecycle, through berthd with the docker
CLI 28 and python3-docker: exec (attached, -it in a pty, detached, exit
codes 126/127), top, stats, pause/unpause, rename, cp both ways (archive),
restart policies, and Docker-style errors for malformed requests."""

import json
import os
import pty
import select
import subprocess
import time

import pytest

from berthd_fixture import docker_py, started_with_busybox, wait_for
from conftest import need_root, need_tool, run


@pytest.fixture(scope="module")
def berthd(busybox_image):
    need_root()
    need_tool("docker")
    daemon = started_with_busybox(busybox_image)
    yield daemon
    daemon.remove_containers()
    daemon.cleanup()


def sleeper(berthd, name):
    berthd.docker("rm", "-f", name, check=False)
    berthd.docker("run", "-d", "--name", name, "busybox", "sleep", "300")
    return name


def http(berthd, method, path, body=b"", headers=""):
    data = body if isinstance(body, bytes) else body.encode()
    req = ("%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n%s\r\n" % (
        method, path, len(data), headers)).encode() + data
    raw = berthd.raw(req)
    head, _, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, head.decode(), rest


def test_exec_output_and_exit_codes(berthd):
    c = sleeper(berthd, "ex1")
    out = berthd.docker("exec", c, "sh", "-c", "echo out; echo err >&2; exit 3", check=False)
    assert out.returncode == 3
    assert out.stdout == "out\n"
    assert out.stderr == "err\n"
    # Runs in the container: its hostname, its pid namespace.
    assert berthd.docker("exec", c, "cat", "/proc/1/cmdline").stdout.startswith("sleep")
    missing = berthd.docker("exec", c, "nonexistent-cmd", check=False)
    # dockerd: any exec that cannot start exits 126 (test_berthd_compat.py).
    assert missing.returncode == 126, missing.stderr + missing.stdout
    assert "executable file not found" in missing.stdout + missing.stderr
    not_exec = berthd.docker("exec", c, "/etc/passwd", check=False)
    assert not_exec.returncode == 126, not_exec.stderr + not_exec.stdout


def test_exec_stdin_env_user_workdir(berthd):
    c = sleeper(berthd, "ex2")
    out = berthd.docker("exec", "-i", c, "sh", "-c", "cat; echo done", input="piped\n")
    assert out.stdout == "piped\ndone\n"
    out = berthd.docker("exec", "-e", "FOO=bar", "-u", "nobody", "-w", "/tmp", c,
                        "sh", "-c", 'echo $FOO $(id -u) $(pwd)')
    assert out.stdout == "bar 65534 /tmp\n"


def test_exec_detached_and_inspect(berthd):
    c = sleeper(berthd, "ex3")
    berthd.docker("exec", "-d", c, "sh", "-c", "echo hi > /tmp/detached; sleep 1")
    assert wait_for(lambda: berthd.docker("exec", c, "cat", "/tmp/detached",
                                          check=False).stdout == "hi\n")
    client = docker_py(berthd)
    ctr = client.containers.get(c)
    exec_id = client.api.exec_create(ctr.id, ["sh", "-c", "exit 5"])["Id"]
    assert client.api.exec_start(exec_id) == b""
    info = client.api.exec_inspect(exec_id)
    assert info["ExitCode"] == 5 and info["Running"] is False
    assert info["ProcessConfig"]["entrypoint"] == "sh"
    res = ctr.exec_run(["sh", "-c", "echo a; echo b >&2"], demux=True)
    assert res.exit_code == 0 and res.output == (b"a\n", b"b\n")


def test_exec_tty_in_a_pty(berthd):
    c = sleeper(berthd, "ex4")
    master, slave = pty.openpty()
    env = dict(os.environ, DOCKER_HOST=berthd.host)
    proc = subprocess.Popen(["docker", "exec", "-it", c, "sh", "-c", "tty; stty size; exit 7"],
                            stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    deadline = time.time() + 20
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    assert proc.wait(timeout=10) == 7
    os.close(master)
    assert b"/dev/pts/" in out, out


def test_exec_errors(berthd):
    status, _, body = http(berthd, "GET", "/exec/" + "0" * 64 + "/json")
    assert status == 404
    assert json.loads(body)["message"] == "No such exec instance: " + "0" * 64
    status, _, body = http(berthd, "POST", "/exec/nope/start", '{"Detach":true}',
                           "Content-Type: application/json\r\n")
    assert status == 404
    c = sleeper(berthd, "ex5")
    status, _, body = http(berthd, "POST", "/containers/%s/exec" % c, '{"Cmd":[]}',
                           "Content-Type: application/json\r\n")
    assert status == 400 and "No exec command specified" in json.loads(body)["message"]
    status, _, body = http(berthd, "POST", "/containers/%s/exec" % c, '{"Cmd":"ls"',
                           "Content-Type: application/json\r\n")
    assert status == 400
    berthd.docker("stop", "-t", "1", c)
    out = berthd.docker("exec", c, "true", check=False)
    assert out.returncode != 0 and "is not running" in out.stderr


def test_top_lists_container_processes(berthd):
    c = sleeper(berthd, "top1")
    out = berthd.docker("top", c).stdout.splitlines()
    assert out[0].split() == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    assert any(line.endswith("sleep 300") and line.startswith("root") for line in out[1:]), out
    top = docker_py(berthd).containers.get(c).top()
    assert len(top["Processes"]) == 1
    berthd.docker("stop", "-t", "1", c)
    assert "is not running" in berthd.docker("top", c, check=False).stderr


def test_stats_no_stream(berthd):
    c = sleeper(berthd, "st1")
    out = berthd.docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", c)
    name, rest = out.stdout.split(" ", 1)
    assert name == c
    assert rest.strip().endswith(" 1"), out.stdout  # one process
    assert "B / " in rest
    s = docker_py(berthd).containers.get(c).stats(stream=False)
    assert s["name"] == "/" + c
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] > 0
    assert s["precpu_stats"]["system_cpu_usage"] > 0
    assert s["memory_stats"]["usage"] > 0
    assert s["pids_stats"]["current"] == 1


def test_pause_unpause(berthd):
    c = sleeper(berthd, "pa1")
    berthd.docker("exec", "-d", c, "sh", "-c", "while true; do date +%s%N >> /tmp/t; sleep 0.05; done")
    berthd.docker("pause", c)
    assert berthd.docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", c).stdout == "paused true\n"
    assert "(Paused)" in berthd.docker("ps", "--filter", "name=pa1").stdout
    assert berthd.docker("ps", "-q", "--filter", "status=paused").stdout.strip() != ""
    exec_out = berthd.docker("exec", c, "true", check=False)
    assert exec_out.returncode != 0 and "is paused" in exec_out.stderr
    assert "already paused" in berthd.docker("pause", c, check=False).stderr
    berthd.docker("unpause", c)
    assert berthd.docker("inspect", "-f", "{{.State.Status}}", c).stdout == "running\n"
    lines = lambda: len(berthd.docker("exec", c, "cat", "/tmp/t").stdout.splitlines())
    n = lines()
    assert wait_for(lambda: lines() > n)
    assert "is not paused" in berthd.docker("unpause", c, check=False).stderr
    # A paused container still stops.
    berthd.docker("pause", c)
    berthd.docker("rm", "-f", c)


def test_rename(berthd):
    c = sleeper(berthd, "rn1")
    sleeper(berthd, "rn-taken")
    berthd.docker("rename", c, "rn2")
    assert berthd.docker("inspect", "-f", "{{.Name}}", "rn2").stdout == "/rn2\n"
    assert "No such" in berthd.docker("inspect", "rn1", check=False).stderr
    taken = berthd.docker("rename", "rn2", "rn-taken", check=False)
    assert taken.returncode != 0 and "is already in use" in taken.stderr
    bad = berthd.docker("rename", "rn2", "bad/name", check=False)
    assert bad.returncode != 0 and "Invalid container name" in bad.stderr
    # The old name is free again.
    berthd.docker("run", "-d", "--name", "rn1", "busybox", "true")


def inspect(berthd, c, fmt):
    return berthd.docker("inspect", "-f", fmt, c).stdout.strip()


def test_restart_on_failure_retries_and_counts(berthd):
    berthd.docker("rm", "-f", "rp1", check=False)
    berthd.docker("run", "-d", "--name", "rp1", "--restart", "on-failure:2", "busybox",
                  "sh", "-c", "echo run; exit 3")
    # One run plus two restarts, then it stays down with the last exit code.
    assert wait_for(lambda: inspect(berthd, "rp1", "{{.RestartCount}} {{.State.Status}}") == "2 exited",
                    timeout=20)
    time.sleep(1.5)
    assert inspect(berthd, "rp1", "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}") == "2 exited 3"
    assert berthd.docker("logs", "rp1").stdout == "run\nrun\nrun\n"
    # Success does not restart an on-failure container.
    berthd.docker("rm", "-f", "rp2", check=False)
    berthd.docker("run", "-d", "--name", "rp2", "--restart", "on-failure", "busybox", "true")
    time.sleep(1.5)
    assert inspect(berthd, "rp2", "{{.RestartCount}} {{.State.Status}}") == "0 exited"


def test_restart_always_and_stop_cancels(berthd):
    berthd.docker("rm", "-f", "rp3", check=False)
    berthd.docker("run", "-d", "--name", "rp3", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2")
    assert wait_for(lambda: int(inspect(berthd, "rp3", "{{.RestartCount}}")) >= 2, timeout=20)
    berthd.docker("stop", "-t", "1", "rp3")
    time.sleep(1)
    count = inspect(berthd, "rp3", "{{.RestartCount}}")
    time.sleep(1.5)
    assert inspect(berthd, "rp3", "{{.RestartCount}} {{.State.Status}}") == count + " exited"
    berthd.docker("rm", "-f", "rp3")


def test_restart_policies_after_daemon_restart(berthd):
    for name in ("rpa", "rpu", "rpn", "rpf"):
        berthd.docker("rm", "-f", name, check=False)
    berthd.docker("run", "-d", "--name", "rpa", "--restart", "always", "busybox", "sleep", "300")
    berthd.docker("run", "-d", "--name", "rpu", "--restart", "unless-stopped", "busybox", "sleep", "300")
    berthd.docker("run", "-d", "--name", "rpn", "busybox", "sleep", "300")
    berthd.docker("stop", "-t", "1", "rpa", "rpu", "rpn")
    berthd.docker("run", "-d", "--name", "rpf", "--restart", "on-failure:1", "busybox",
                  "sh", "-c", "sleep 2; exit 9")
    # kill -9: the exit happens while berthd is down, then the policy applies.
    berthd.proc.kill()
    berthd.proc.wait()
    time.sleep(3)
    berthd.start()
    # always comes back even after a manual stop; unless-stopped and no do not.
    assert wait_for(lambda: inspect(berthd, "rpa", "{{.State.Status}}") == "running"), berthd.read_log()
    assert wait_for(lambda: inspect(berthd, "rpf", "{{.RestartCount}}") == "1")
    assert inspect(berthd, "rpu", "{{.State.Status}}") == "exited"
    assert inspect(berthd, "rpn", "{{.State.Status}}") == "exited"
    assert wait_for(lambda: inspect(berthd, "rpf", "{{.State.Status}} {{.State.ExitCode}}") == "exited 9",
                    timeout=15)
    for name in ("rpa", "rpu", "rpn", "rpf"):
        berthd.docker("rm", "-f", name)


def test_cp_both_ways(berthd, tmp_path):
    c = sleeper(berthd, "cp1")
    src = tmp_path / "in.txt"
    src.write_text("from host\n")
    os.chmod(src, 0o640)
    berthd.docker("cp", str(src), c + ":/tmp/copied.txt")
    assert berthd.docker("exec", c, "cat", "/tmp/copied.txt").stdout == "from host\n"
    assert berthd.docker("exec", c, "stat", "-c", "%a", "/tmp/copied.txt").stdout == "640\n"
    d = tmp_path / "dir"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "f").write_text("nested\n")
    berthd.docker("cp", str(d), c + ":/tmp/")
    assert berthd.docker("exec", c, "cat", "/tmp/dir/sub/f").stdout == "nested\n"
    berthd.docker("exec", c, "sh", "-c", "mkdir -p /data/x && echo payload > /data/x/y && ln -s y /data/x/l")
    out = tmp_path / "out"
    berthd.docker("cp", c + ":/data", str(out))
    assert (out / "x" / "y").read_text() == "payload\n"
    assert os.readlink(out / "x" / "l") == "y"
    # To stdout as a tar, and from a stopped container.
    berthd.docker("stop", "-t", "1", c)
    tar = berthd.docker("cp", c + ":/data/x/y", "-", text=False).stdout
    assert b"payload\n" in tar and tar[:1] != b""
    missing = berthd.docker("cp", c + ":/nope", str(tmp_path / "n"), check=False)
    assert missing.returncode != 0 and "Could not find the file /nope" in missing.stderr
    assert "archive-" not in run(["sh", "-c", "mount"]).stdout


def test_archive_path_tricks_stay_inside(berthd, tmp_path):
    import base64
    import io
    import tarfile
    c = sleeper(berthd, "cp2")
    berthd.docker("exec", c, "sh", "-c", "echo inside > /tmp/marker && ln -s /etc/berth-host-secret /tmp/escape")
    # ".." and absolute symlinks resolve inside the rootfs.
    status, head, body = http(berthd, "GET", "/containers/cp2/archive?path=/../../../../tmp/marker")
    assert status == 200, body
    stat = json.loads(base64.b64decode(head.split("X-Docker-Container-Path-Stat: ")[1].split("\r\n")[0]))
    assert stat["name"] == "marker" and stat["size"] == 7
    status, _, body = http(berthd, "GET", "/containers/cp2/archive?path=/tmp/escape/")
    assert status == 404, body
    status, _, body = http(berthd, "HEAD", "/containers/cp2/archive?path=/nonexistent")
    assert status == 404
    status, _, body = http(berthd, "GET", "/containers/cp2/archive?path=")
    assert status == 400
    # A tar whose entries climb out is refused and writes nothing outside.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("../../../../../tmp/berth-escaped")
        info.size = 3
        t.addfile(info, io.BytesIO(b"bad"))
    status, _, body = http(berthd, "PUT", "/containers/cp2/archive?path=/tmp", buf.getvalue(),
                           "Content-Type: application/x-tar\r\n")
    assert status == 400, body
    assert not os.path.exists("/tmp/berth-escaped")
    status, _, body = http(berthd, "PUT", "/containers/cp2/archive?path=/tmp/marker", buf.getvalue())
    assert status == 400, body
    status, _, body = http(berthd, "GET", "/containers/nosuch/archive?path=/")
    assert status == 404 and json.loads(body)["message"] == "No such container: nosuch"


def test_diff_and_export(berthd, tmp_path):
    c = sleeper(berthd, "df1")
    berthd.docker("exec", c, "sh", "-c", "echo new > /new-file && rm /etc/group && echo x >> /etc/passwd")
    diff = berthd.docker("diff", c).stdout.splitlines()
    assert "A /new-file" in diff
    assert "D /etc/group" in diff
    assert "C /etc/passwd" in diff and "C /etc" in diff
    out = tmp_path / "export.tar"
    berthd.docker("export", "-o", str(out), c)
    import tarfile
    with tarfile.open(out) as t:
        names = set(t.getnames())
        assert "new-file" in names and "bin/busybox" in names and "etc/group" not in names
        assert t.extractfile("new-file").read() == b"new\n"


def cgroup_file(cid, controller_v1, name_v1, name_v2):
    for path in ("/sys/fs/cgroup/%s/berth/%s/%s" % (controller_v1, cid, name_v1),
                 "/sys/fs/cgroup/berth/%s/%s" % (cid, name_v2)):
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip()
    return None


def test_update_resources_live_and_restart_policy(berthd):
    c = sleeper(berthd, "up1")
    cid = inspect(berthd, c, "{{.Id}}")
    berthd.docker("update", "--memory", "64m", "--memory-swap", "128m", "--pids-limit", "50",
                  "--restart", "on-failure:3", c)
    assert inspect(berthd, c, "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}") == "67108864 50"
    assert inspect(berthd, c, "{{.HostConfig.RestartPolicy.Name}} "
                              "{{.HostConfig.RestartPolicy.MaximumRetryCount}}") == "on-failure 3"
    mem = cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")
    assert mem == "67108864", mem
    assert cgroup_file(cid, "pids", "pids.max", "pids.max") == "50"
    bad = berthd.docker("update", "--restart", "sometimes", c, check=False)
    assert bad.returncode != 0 and "invalid restart policy" in bad.stderr
    berthd.docker("rm", "-f", "up2", check=False)
    berthd.docker("create", "--name", "up2", "--rm", "busybox", "true")
    rm = berthd.docker("update", "--restart", "always", "up2", check=False)
    assert rm.returncode != 0 and "AutoRemove" in rm.stderr
    berthd.docker("rm", "-f", "up2")


def test_container_prune(berthd):
    berthd.docker("run", "--name", "pr1", "--label", "prune=yes", "busybox",
                  "sh", "-c", "head -c 100000 /dev/zero > /big")
    berthd.docker("run", "--name", "pr2", "--label", "prune=no", "busybox", "true")
    keep = sleeper(berthd, "pr3")
    client = docker_py(berthd)
    res = client.containers.prune(filters={"label": ["prune=yes"]})
    assert len(res["ContainersDeleted"]) == 1 and res["SpaceReclaimed"] >= 100000
    names = berthd.docker("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert "pr1" not in names and "pr2" in names and keep in names
    out = berthd.docker("container", "prune", "-f").stdout
    assert "Total reclaimed space" in out
    names = berthd.docker("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert "pr2" not in names and keep in names
