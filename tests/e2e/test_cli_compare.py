"""`berth` and `docker` run the same scenario against the same daemon and
must print the same things with the same exit codes, after normalising ids
and times (cli_compare.py). The daemon is a parameter: Debian's dockerd (the
reference) and berthd. On berthd a scenario whose API routes berthd does not
serve yet is an expected failure naming the route; it runs (and must pass)
as soon as the route answers. The docker CLI's output on berthd is also
checked against its output on dockerd: differences are daemon bugs, written
to daemon-diff.txt in the build directory (they do not fail the test)."""

import os
import re
import subprocess
import time

import pytest

from berthd_fixture import Berthd
from cli_compare import (berth_binary, cli_run, missing_routes, normalise, record_daemon_diff,
                         run_scenario, server_section, sorted_rows)


@pytest.fixture(scope="module")
def berth():
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    return path


@pytest.fixture(scope="module", params=["dockerd", "berthd"])
def daemon(request):
    if request.param == "dockerd":
        yield request.getfixturevalue("dockerd")
        return
    berthd = Berthd().start()
    yield berthd
    ids = berthd.docker("ps", "-aq", check=False).stdout.split()
    if ids:
        berthd.docker("rm", "-f", *ids, check=False)
    berthd.cleanup()


@pytest.fixture(scope="module")
def loaded(daemon, busybox_image):
    daemon.docker("load", "-i", busybox_image.archive)
    return busybox_image


def daemon_name(daemon):
    return "berthd" if isinstance(daemon, Berthd) else "dockerd"


def sorted_json_list(out):
    """"<id> [b,a]" -> "<id> [a,b]"."""
    head, _, rest = out.partition("[")
    items = rest.rstrip().rstrip("]").split(",")
    return head + "[" + ",".join(sorted(items)) + "]\n"


def sorted_repo_tags(out):
    """inspect JSON with the "RepoTags" entries sorted (berthd's order varies)."""
    def fix(m):
        items = sorted((item.rstrip(",") for item in m.group(2).split("\n")), key=str.strip)
        return m.group(1) + "\n" + ",\n".join(items) + "\n" + m.group(3)
    return re.sub(r'("RepoTags": \[)\n(.*?)\n(\s*\])', fix, out, flags=re.S)


def needs(daemon, *routes):
    """Expected failure on berthd while one of routes ("GET /containers/{id}/top")
    answers "page not found" or 405."""
    if daemon_name(daemon) != "berthd":
        return
    missing = missing_routes(daemon.socket, routes)
    if missing:
        pytest.xfail("berthd does not serve " + ", ".join(missing))


@pytest.fixture
def compare(daemon, berth, request):
    """compare(steps): docker then berth run steps on daemon; every step's
    (args, exit code, stdout, stderr) must match after normalising."""
    def check(steps):
        want = run_scenario("docker", daemon.host, steps)
        got = run_scenario(berth, daemon.host, steps)
        if request.node.originalname != "test_version_and_info":  # differ by design
            record_daemon_diff(request.node.originalname, daemon_name(daemon), want)
        for w, g in zip(want, got):
            assert g == w, "berth differs from docker for `%s` on %s" % (w[0], daemon_name(daemon))
    return check


def test_version_and_info(compare):
    compare([
        (["version"], server_section),
        (["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"], None),
        (["info"], server_section),
        (["info", "--format", "{{.Driver}} {{.NCPU}} {{json .Plugins.Volume}}"], None),
    ])


def test_images_load_tag_rmi_inspect(compare, loaded):
    compare([
        (["load", "-i", loaded.archive], None),
        (["images"], None),
        (["tag", "busybox", "bb:1"], None),
        (["tag", "busybox", "127.0.0.1:5000/x/bb:2"], None),
        (["images"], sorted_rows),
        (["images", "-q"], None),
        (["images", "--format", "{{json .}}"], lambda out: "".join(sorted(out.splitlines(True)))),
        (["images", "--format", "table {{.Repository}}\t{{.Tag}}"], sorted_rows),
        (["images", "--filter", "reference=bb"], None),
        # berthd lists RepoTags in no fixed order (dockerd sorts them).
        (["inspect", "--format", "{{.Id}} {{json .RepoTags}}", "bb:1"], sorted_json_list),
        (["image", "inspect", "bb:1"], sorted_repo_tags),
        (["inspect", "127.0.0.1:5000/x/bb:2"], sorted_repo_tags),
        (["image", "inspect", "nope"], None),
        (["inspect", "nope", "bb:1"], sorted_repo_tags),
        (["rmi", "bb:1", "127.0.0.1:5000/x/bb:2"], None),
        (["rmi", "bb:1"], None),
        (["images", "-a"], None),
    ])


def test_run_ps_logs_rm(compare, loaded):
    compare([
        (["run", "--rm", "busybox", "echo", "hi"], None),
        (["run", "--name", "e1", "-e", "A=1", "-w", "/tmp", "busybox", "sh", "-c",
          "echo out $A $(pwd); sleep 0.2; echo err >&2; exit 3"], None),
        (["run", "--rm", "busybox", "nonexist"], None),
        (["run", "--rm", "busybox", "/etc/passwd"], None),
        (["run", "--rm", "-u", "1:1", "busybox", "id"], None),
        (["run", "-d", "--name", "e2", "busybox", "sleep", "30"], None),
        (["ps"], None),
        (["ps", "-a"], None),
        (["ps", "-a", "-q"], None),
        (["ps", "-a", "--no-trunc"], None),
        (["ps", "-a", "--format", "{{.Names}} {{.Status}} {{.Command}}"], None),
        (["ps", "-a", "--filter", "status=exited"], None),
        (["ps", "-n", "1"], None),
        (["logs", "e1"], None),
        (["logs", "--tail", "1", "e1"], None),
        (["logs", "-t", "e1"], None),
        (["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.Config.WorkingDir}}", "e1"], None),
        (["container", "inspect", "--format", "{{json .Config.Env}}", "e1"], None),
        (["wait", "e1"], None),
        (["kill", "e2"], None),
        (["wait", "e2"], None),
        (["rm", "e1", "e2"], None),
        (["rm", "e1"], None),
        (["logs", "e1"], None),
        (["ps", "-a"], None),
    ])


def test_top_rename(compare, daemon, loaded):
    needs(daemon, "GET /containers/{id}/top", "POST /containers/{id}/rename")
    compare([
        (["run", "-d", "--name", "t1", "busybox", "sleep", "30"], None),
        (["top", "t1"], lambda out: out.splitlines()[0] + "\n"),
        (["rename", "t1", "t2"], None),
        (["rename", "t1", "t3"], None),
        (["ps", "--format", "{{.Names}} {{.Status}}"], None),
        (["rm", "-f", "t2"], None),
    ])


def test_lifecycle(compare, loaded):
    compare([
        (["run", "-d", "--name", "x1", "busybox", "sleep", "60"], None),
        (["stop", "-t", "1", "x1"], None),
        (["ps", "-a", "--format", "{{.Names}} {{.Status}}"], None),
        (["start", "x1"], None),
        (["restart", "-t", "1", "x1"], None),
        (["ps", "--format", "{{.Names}} {{.Status}}"], None),
        (["rm", "x1"], None),
        (["rm", "-f", "x1"], None),
        (["create", "--name", "x2", "busybox", "echo", "created"], None),
        (["ps", "-a", "--format", "{{.Names}} {{.Status}}"], None),
        (["start", "-a", "x2"], None),
        (["rm", "x2"], None),
    ])


def test_exec_pause(compare, daemon, loaded):
    needs(daemon, "POST /containers/{id}/exec", "POST /containers/{id}/pause")
    compare([
        (["run", "-d", "--name", "x3", "busybox", "sleep", "60"], None),
        (["exec", "x3", "sh", "-c", "echo in-exec; exit 4"], None),
        (["exec", "-e", "V=2", "-w", "/etc", "x3", "sh", "-c", "echo $V $(pwd)"], None),
        (["pause", "x3"], None),
        (["ps", "--format", "{{.Names}} {{.Status}}"], None),
        (["unpause", "x3"], None),
        (["rm", "-f", "x3"], None),
    ])


def test_stdin_pipe(daemon, berth, loaded):
    for program in ("docker", berth):
        rc, out, err = cli_run(program, daemon.host, ["run", "--rm", "-i", "busybox", "cat"],
                               stdin="piped\nlines\n")
        assert (rc, out) == (0, "piped\nlines\n"), (program, err)


def test_usage_errors(compare):
    compare([
        (["rm"], lambda out: out),
        (["nosuchcommand"], None),
    ])


def test_cp_both_ways(daemon, berth, loaded, tmp_path):
    needs(daemon, "PUT /containers/{id}/archive", "GET /containers/{id}/archive",
          "POST /containers/{id}/exec")
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha\n")
    (src / "sub" / "b.txt").write_text("beta\n")
    for program in ("docker", berth):
        name = "cp-" + os.path.basename(program)
        out_dir = tmp_path / ("out-" + os.path.basename(program))
        out_dir.mkdir()
        steps = [
            ["run", "-d", "--name", name, "busybox", "sleep", "60"],
            ["cp", str(src), name + ":/tmp/dir"],
            ["cp", str(src / "a.txt"), name + ":/tmp/"],
            ["cp", str(src / "a.txt"), name + ":/tmp/renamed.txt"],
            ["cp", name + ":/etc/passwd", str(out_dir / "passwd")],
            ["cp", name + ":/tmp/dir", str(out_dir)],
        ]
        for args in steps:
            rc, _, err = cli_run(program, daemon.host, args)
            assert rc == 0, (program, args, err)
        rc, out, _ = cli_run(program, daemon.host, ["exec", name, "sh", "-c",
                             "cat /tmp/dir/a.txt /tmp/dir/sub/b.txt /tmp/a.txt /tmp/renamed.txt"])
        assert (rc, out) == (0, "alpha\nbeta\nalpha\nalpha\n"), program
        assert (out_dir / "passwd").read_text().startswith("root:")
        assert (out_dir / "dir" / "sub" / "b.txt").read_text() == "beta\n"
        cli_run(program, daemon.host, ["rm", "-f", name])


def test_save_roundtrip(compare, daemon, berth, loaded, tmp_path):
    archive = str(tmp_path / "bb.tar")
    rc, _, err = cli_run(berth, daemon.host, ["save", "-o", archive, "busybox"])
    assert rc == 0, err
    compare([
        (["tag", "busybox", "saved:1"], None),
        (["rmi", "saved:1"], None),
        (["load", "-i", archive], None),
        (["images", "busybox"], None),
    ])


def sorted_lines(out):
    return "".join(sorted(out.splitlines(True)))


def test_commit_diff_history_export_import(compare, daemon, loaded, tmp_path):
    needs(daemon, "GET /containers/{id}/changes", "POST /commit", "GET /containers/{id}/export")
    archive = str(tmp_path / "c.tar")
    compare([
        (["run", "--name", "d1", "busybox", "sh", "-c", "echo x > /tmp/f; rm /etc/group; mkdir /new"], None),
        (["diff", "d1"], sorted_lines),  # dockerd walks the layer in no fixed order
        (["container", "diff", "nope"], None),
        (["commit", "-m", "snap", "-c", "ENV X=1", "d1", "snap:1"], None),
        (["history", "snap:1"], None),
        (["history", "-H=false", "--format", "{{.CreatedBy}}|{{.Size}}|{{.Comment}}", "snap:1"], None),
        (["image", "history", "-q", "--no-trunc", "snap:1"], None),
        (["history", "nope"], None),
        (["inspect", "--format", "{{json .Config.Env}} {{.Comment}}", "snap:1"], None),
        (["export", "-o", archive, "d1"], None),
        (["import", "-m", "imported", archive, "imp:1"], None),
        (["history", "--format", "{{.Comment}} {{.CreatedBy}}", "imp:1"], None),
        (["rmi", "snap:1", "imp:1"], None),
        (["rm", "d1"], None),
    ])


def test_update(compare, daemon, loaded):
    needs(daemon, "POST /containers/{id}/update")
    compare([
        (["run", "-d", "--name", "u1", "busybox", "sleep", "60"], None),
        (["update", "-m", "64m", "--memory-swap", "128m", "--cpu-shares", "512", "--pids-limit", "50",
          "--restart", "on-failure:2", "u1"], None),
        (["inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.CpuShares}} "
          "{{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
          "u1"], None),
        (["update", "u1"], None),
        (["update", "--cpus", "1", "nope", "u1"], None),
        (["rm", "-f", "u1"], None),
    ])


def test_prune(compare, daemon, loaded):
    # docker system prune also prunes the build cache (POST /build/prune).
    needs(daemon, "POST /containers/prune", "POST /images/prune", "POST /networks/prune", "POST /build/prune")
    # Both passes must start from the same state: dangling images other
    # tests left on the shared daemon would be pruned by the first only.
    daemon.docker("image", "prune", "-f")
    compare([
        (["create", "--name", "p1", "busybox"], None),
        (["tag", "busybox", "prune:1"], None),
        (["container", "prune"], None),  # no -f: stdin is empty, so not confirmed
        (["container", "prune", "-f"], None),
        (["ps", "-a", "-q"], None),
        (["image", "prune", "-f"], None),
        (["network", "prune", "-f"], None),
        (["system", "prune", "-f"], None),
        (["system", "prune", "-a", "--volumes"], None),
        (["rmi", "prune:1"], None),
    ])


ANONYMOUS_VOLUME = re.compile(r"\b[0-9a-f]{64}\b")


def named_volumes(out):
    """The output without anonymous volumes' lines: other tests share this
    daemon, and a volume they leave (or free) between the docker and the
    berth pass is not part of the scenario."""
    return "".join(line for line in out.splitlines(keepends=True) if not ANONYMOUS_VOLUME.search(line))


def pruned_named_volumes(out):
    """`volume prune` without anonymous volumes, its header and blank lines
    (the header is there only when something was deleted)."""
    return "".join(line for line in named_volumes(out).splitlines(keepends=True)
                   if line.strip() and line.strip() != "Deleted Volumes:")


def test_volumes(compare, daemon):
    """berthd has no /volumes yet: berth must print what docker prints then."""
    compare([
        (["volume", "create", "--label", "a=b", "vol1"], None),
        (["volume", "create", "--name", "vol2"], None),
        (["volume", "ls"], named_volumes),
        (["volume", "ls", "-q"], named_volumes),
        (["volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}} {{.Scope}}"], named_volumes),
        (["volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{json .Labels}}", "vol1"], None),
        (["volume", "inspect", "nope"], None),
        (["volume", "rm", "vol1", "nope"], None),
        (["volume", "prune", "-f"], pruned_named_volumes),
        (["volume", "rm", "vol2"], None),
        (["volume", "ls"], named_volumes),
    ])


def test_mount_ulimit_health_flags(compare, daemon, loaded, tmp_path):
    src = str(tmp_path)
    compare([
        (["create", "--name", "f1", "--mount", "type=bind,src=" + src + ",dst=/x,readonly",
          "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1777",
          "--ulimit", "nofile=100:200", "--ulimit", "nproc=50",
          "--health-cmd", "true", "--health-interval", "1m30s", "--health-retries", "3",
          "busybox"], None),
        (["inspect", "--format", "{{json .HostConfig.Mounts}} {{json .HostConfig.Ulimits}} "
          "{{json .Config.Healthcheck}}", "f1"], None),
        (["create", "--name", "f2", "--no-healthcheck", "busybox"], None),
        (["inspect", "--format", "{{json .Config.Healthcheck}}", "f2"], None),
        (["create", "--mount", "type=bind,src=/tmp,dst=/x,foo=1", "busybox"], None),
        (["create", "--mount", "type=bind,src=/tmp", "busybox"], None),
        (["create", "--ulimit", "nofile", "busybox"], None),
        (["create", "--health-interval", "5x", "busybox"], None),
        (["create", "-m", "xx", "busybox"], None),
        (["ps", "--foo"], None),
        (["rm", "f1", "f2"], None),
    ])


def last_frame(raw):
    """The last complete redraw of a streaming `stats`: the text between the
    last "cursor home" and "clear to end of screen", lines without their
    clear-to-end-of-line; of the rows only the first two cells (the values
    move between samples, and docker shows "--" until a sample arrives)."""
    frames = [f for f in raw.split("\033[J") if "\033[H" in f]
    assert frames, repr(raw[:200])
    lines = normalise(frames[-1].rsplit("\033[H", 1)[1].replace(" \033[K", "")).split("\n")
    return [lines[0]] + ["  ".join(line.split("  ")[:2]) for line in lines[1:]]


def stream_for(program, host, args, seconds):
    env = dict(os.environ, DOCKER_HOST=host)
    proc = subprocess.Popen([program, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(seconds)
    proc.kill()  # docker stats may sit out a SIGTERM
    out, err = proc.communicate(timeout=10)
    return out, err


def test_stats(compare, daemon, berth, loaded):
    needs(daemon, "GET /containers/{id}/stats")
    rc, _, err = cli_run("docker", daemon.host, ["run", "-d", "--name", "st1", "busybox", "sleep", "60"])
    assert rc == 0, err
    try:
        masked = lambda out: re.sub(r"\d+(\.\d+)?", "N", out)
        compare([
            (["stats", "--no-stream", "st1"], masked),
            (["stats", "--no-stream", "--format", "{{.Name}} {{.Container}} {{.ID}}", "st1"], None),
            (["container", "stats", "--no-stream", "nope"], None),
        ])
        for args in (["stats"], ["stats", "st1"], ["stats", "--format", "table {{.Name}}\t{{.PIDs}}"]):
            want, _ = stream_for("docker", daemon.host, args, 2.2)
            got, err = stream_for(berth, daemon.host, args, 2.2)
            assert last_frame(got) == last_frame(want), (args, err)
            assert got.count("\033[J") >= 2, "berth redrew less than twice in 2 s"
    finally:
        cli_run("docker", daemon.host, ["rm", "-f", "st1"])


def test_passthrough_flags(compare, daemon, berth, loaded, tmp_path):
    labels = tmp_path / "labels"
    labels.write_text("# team labels\nteam=a\n\ntier=web\n")
    compare([
        (["create", "--name", "g1", "--cpu-period", "100000", "--cpu-quota", "50000", "--shm-size", "32m",
          "--sysctl", "net.ipv4.ip_forward=1", "--log-driver", "json-file", "--log-opt", "max-size=1m",
          "--label-file", str(labels), "--label", "extra=1", "--dns-search", "example.org",
          "--dns-option", "ndots:2", "--group-add", "10", "--oom-score-adj", "100", "--ipc", "private",
          "--memory-reservation", "32m", "--domainname", "example.org", "--cgroup-parent", "berth-e2e",
          "busybox"], None),
        (["inspect", "--format", "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.ShmSize}} "
          "{{json .HostConfig.Sysctls}} {{.HostConfig.LogConfig.Type}} {{json .HostConfig.LogConfig.Config}} "
          "{{json .Config.Labels}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}} "
          "{{json .HostConfig.GroupAdd}} {{.HostConfig.OomScoreAdj}} {{.HostConfig.IpcMode}} "
          "{{.HostConfig.MemoryReservation}} {{.Config.Domainname}} {{.HostConfig.CgroupParent}}", "g1"], None),
        (["create", "--cpu-period", "x", "busybox"], None),
        (["rm", "g1"], None),
    ])
    results = []
    for program in ("docker", berth):  # a cidfile must not exist yet: one per program
        cidfile = str(tmp_path / ("cid-" + os.path.basename(program)))
        first = cli_run(program, daemon.host, ["create", "--cidfile", cidfile, "busybox"])
        with open(cidfile) as f:
            assert f.read() == first[1].strip(), program
        again = cli_run(program, daemon.host, ["create", "--cidfile", cidfile, "busybox"])
        results.append((first[0], again[0], normalise(again[2]).replace(cidfile, "<file>")))
        cli_run(program, daemon.host, ["rm", first[1].strip()])
    assert results[0] == results[1]


def test_platform_and_images_tree(compare, loaded):
    """--platform on run/create/pull: parsed and normalised client-side (a bad
    specifier is docker's error), sent as ?platform=; a local image of
    another platform is "not found", so the CLI pulls that platform (from a
    closed loopback port here). `images --tree` needs API 1.47."""
    compare([
        (["tag", "busybox", "127.0.0.1:1/bb:1"], None),
        (["create", "--name", "pl1", "--platform", "linux/amd64", "127.0.0.1:1/bb:1"], None),
        (["create", "--name", "pl2", "--platform", "x86_64", "busybox"], None),
        (["create", "--platform", "linux/arm64", "127.0.0.1:1/bb:1"], None),
        (["create", "--platform", "bogus//x", "busybox"], None),
        (["create", "--platform", "a/b/c/d", "busybox"], None),
        (["create", "--platform", "foo", "busybox"], None),
        (["run", "--rm", "--platform", "linux/arm64/v8", "127.0.0.1:1/bb:1", "true"], None),
        (["pull", "--platform", "linux/arm64", "127.0.0.1:1/bb:1"], None),
        (["images", "--tree"], None),
        (["rm", "pl1", "pl2"], None),
        (["rmi", "127.0.0.1:1/bb:1"], None),
    ])


def test_port_kill_signal_networks_df(compare, daemon, loaded):
    """The commands of issue 9 the other scenarios leave out: port, kill -s,
    network ls/inspect/rm/connect/disconnect on the predefined networks
    (creating a bridge would touch the host), system df."""
    compare([
        (["run", "-d", "--name", "pk1", "busybox", "sh", "-c", "trap 'echo usr1' USR1; while true; do sleep 0.1; done"],
         None),
        (["port", "pk1"], None),
        (["port", "pk1", "80"], None),
        (["port", "nope"], None),
        (["kill", "-s", "USR1", "pk1"], None),
        (["kill", "--signal", "NOPE", "pk1"], None),
        (["network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}", "--filter", "name=none"], None),
        (["network", "inspect", "--format", "{{.Name}} {{.Driver}}", "none"], None),
        (["network", "inspect", "nope"], None),
        (["network", "rm", "nope"], None),
        (["network", "rm", "-f", "nope"], None),
        (["network", "connect", "nope", "pk1"], None),
        (["network", "disconnect", "nope", "pk1"], None),
        (["system", "df", "--format", "{{.Type}}"], None),
        (["rm", "-f", "pk1"], None),
    ])
