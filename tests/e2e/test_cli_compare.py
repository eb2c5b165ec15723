"""`berth` and `docker` run the same scenario against the same daemon
(Debian's dockerd, the reference) and must print the same things with the
same exit codes, after normalising ids and times (cli_compare.py)."""

import os

import pytest

from cli_compare import berth_binary, cli_run, run_scenario, server_section, sorted_rows


@pytest.fixture(scope="module")
def berth():
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    return path


@pytest.fixture(scope="module")
def loaded(dockerd, busybox_image):
    dockerd.docker("load", "-i", busybox_image.archive)
    return busybox_image


def compare(dockerd, berth, steps):
    want = run_scenario("docker", dockerd.host, steps)
    got = run_scenario(berth, dockerd.host, steps)
    for w, g in zip(want, got):
        assert g == w, "berth differs from docker for `%s`" % w[0]


def test_version_and_info(dockerd, berth):
    compare(dockerd, berth, [
        (["version"], server_section),
        (["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"], None),
        (["info"], server_section),
        (["info", "--format", "{{.Driver}} {{.NCPU}} {{json .Plugins.Volume}}"], None),
    ])


def test_images_load_tag_rmi_inspect(dockerd, berth, loaded):
    compare(dockerd, berth, [
        (["load", "-i", loaded.archive], None),
        (["images"], None),
        (["tag", "busybox", "bb:1"], None),
        (["tag", "busybox", "127.0.0.1:5000/x/bb:2"], None),
        (["images"], sorted_rows),
        (["images", "-q"], None),
        (["images", "--format", "{{json .}}"], lambda out: "".join(sorted(out.splitlines(True)))),
        (["images", "--format", "table {{.Repository}}\t{{.Tag}}"], sorted_rows),
        (["images", "--filter", "reference=bb"], None),
        (["inspect", "--format", "{{.Id}} {{json .RepoTags}}", "bb:1"], None),
        (["image", "inspect", "bb:1"], None),
        (["inspect", "127.0.0.1:5000/x/bb:2"], None),
        (["image", "inspect", "nope"], None),
        (["inspect", "nope", "bb:1"], None),
        (["rmi", "bb:1", "127.0.0.1:5000/x/bb:2"], None),
        (["rmi", "bb:1"], None),
        (["images", "-a"], None),
    ])


def test_run_ps_logs_rm(dockerd, berth, loaded):
    compare(dockerd, berth, [
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
        (["top", "e2"], lambda out: out.splitlines()[0] + "\n"),
        (["kill", "e2"], None),
        (["wait", "e2"], None),
        (["rename", "e2", "e3"], None),
        (["rm", "e1", "e3"], None),
        (["rm", "e1"], None),
        (["logs", "e1"], None),
        (["ps", "-a"], None),
    ])


def test_exec_and_lifecycle(dockerd, berth, loaded):
    compare(dockerd, berth, [
        (["run", "-d", "--name", "x1", "busybox", "sleep", "60"], None),
        (["exec", "x1", "sh", "-c", "echo in-exec; exit 4"], None),
        (["exec", "-e", "V=2", "-w", "/etc", "x1", "sh", "-c", "echo $V $(pwd)"], None),
        (["pause", "x1"], None),
        (["ps", "--format", "{{.Names}} {{.Status}}"], None),
        (["unpause", "x1"], None),
        (["stop", "-t", "1", "x1"], None),
        (["start", "x1"], None),
        (["restart", "-t", "1", "x1"], None),
        (["rm", "-f", "x1"], None),
        (["create", "--name", "x2", "busybox", "echo", "created"], None),
        (["start", "-a", "x2"], None),
        (["rm", "x2"], None),
    ])


def test_stdin_pipe(dockerd, berth, loaded):
    for program in ("docker", berth):
        rc, out, err = cli_run(program, dockerd.host, ["run", "--rm", "-i", "busybox", "cat"],
                               stdin="piped\nlines\n")
        assert (rc, out) == (0, "piped\nlines\n"), (program, err)


def test_usage_errors(dockerd, berth):
    compare(dockerd, berth, [
        (["rm"], lambda out: out),
        (["nosuchcommand"], None),
    ])


def test_cp_both_ways(dockerd, berth, loaded, tmp_path):
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
            rc, _, err = cli_run(program, dockerd.host, args)
            assert rc == 0, (program, args, err)
        rc, out, _ = cli_run(program, dockerd.host, ["exec", name, "sh", "-c",
                             "cat /tmp/dir/a.txt /tmp/dir/sub/b.txt /tmp/a.txt /tmp/renamed.txt"])
        assert (rc, out) == (0, "alpha\nbeta\nalpha\nalpha\n"), program
        assert (out_dir / "passwd").read_text().startswith("root:")
        assert (out_dir / "dir" / "sub" / "b.txt").read_text() == "beta\n"
        cli_run(program, dockerd.host, ["rm", "-f", name])


def test_save_roundtrip(dockerd, berth, loaded, tmp_path):
    archive = str(tmp_path / "bb.tar")
    rc, _, err = cli_run(berth, dockerd.host, ["save", "-o", archive, "busybox"])
    assert rc == 0, err
    compare(dockerd, berth, [
        (["tag", "busybox", "saved:1"], None),
        (["rmi", "saved:1"], None),
        (["load", "-i", archive], None),
        (["images", "busybox"], None),
    ])
