"""Mounts and volumes through berthd, driven by the docker CLI 28 and
python3-docker: -v binds (rw, :ro, missing host dirs created), named
volumes that outlive containers, copy-up of image content, anonymous
volumes (from -v /dst and the image's VOLUME) removed by --rm / rm -v,
--tmpfs and --mount tmpfs with their size and mode, `docker volume`
create/ls/inspect/rm/prune, and inspect "Mounts" and error texts compared
with Debian's dockerd, with nothing left behind after a refused create."""

import json
import os
import re
import tarfile
import uuid

import pytest

from berthd_fixture import started_with_busybox
from conftest import need_root, need_tool


@pytest.fixture(scope="module")
def berthd(busybox_image):
    need_root()
    need_tool("docker")
    daemon = started_with_busybox(busybox_image)
    yield daemon
    daemon.remove_containers()
    daemon.docker("volume", "prune", "-af", check=False)
    daemon.cleanup()


@pytest.fixture(scope="module")
def dockerd_busybox(dockerd, busybox_image):
    dockerd.docker("load", "-i", busybox_image.archive)
    return dockerd


def uniq(prefix):
    return prefix + "-" + uuid.uuid4().hex[:8]


def volumes(daemon):
    return set(daemon.docker("volume", "ls", "-q").stdout.split())


def berth_mounts(berthd):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if berthd.dir in line]


def test_bind_mount_read_write_and_read_only(berthd, tmp_path):
    (tmp_path / "in").write_text("from host\n")
    out = berthd.docker("run", "--rm", "-v", "%s:/h" % tmp_path, "busybox", "sh", "-c",
                        "cat /h/in; echo from container > /h/out")
    assert out.stdout == "from host\n"
    assert (tmp_path / "out").read_text() == "from container\n"
    ro = berthd.docker("run", "--rm", "-v", "%s:/h:ro" % tmp_path, "busybox", "sh", "-c",
                       "cat /h/in && echo x > /h/nope", check=False)
    assert ro.returncode == 1
    assert ro.stdout == "from host\n"
    assert "Read-only file system" in ro.stderr
    assert not (tmp_path / "nope").exists()


def test_missing_bind_source_is_created_for_v_but_refused_for_mount(berthd, tmp_path):
    missing = tmp_path / "a" / "b"
    berthd.docker("run", "--rm", "-v", "%s:/x" % missing, "busybox", "true")
    assert missing.is_dir()
    other = tmp_path / "c"
    out = berthd.docker("run", "--rm", "--mount", "type=bind,src=%s,dst=/x" % other, "busybox",
                        "true", check=False)
    assert out.returncode == 125
    assert "bind source path does not exist: %s" % other in out.stderr
    assert not other.exists()


def test_named_volume_persists_across_containers(berthd):
    name = uniq("vol")
    berthd.docker("run", "--rm", "-v", name + ":/data", "busybox", "sh", "-c", "echo kept > /data/f")
    assert name in volumes(berthd)
    out = berthd.docker("run", "--rm", "-v", name + ":/other:ro", "busybox", "cat", "/other/f")
    assert out.stdout == "kept\n"
    berthd.docker("volume", "rm", name)
    assert name not in volumes(berthd)
    assert not os.path.exists(os.path.join(berthd.dir, "data", "volumes", name))


def test_new_volume_gets_image_content_unless_nocopy(berthd):
    copied, empty = uniq("cu"), uniq("nc")
    out = berthd.docker("run", "--rm", "-v", copied + ":/etc", "busybox", "cat", "/etc/group")
    assert "root:x:0:" in out.stdout
    # The copy is in the volume itself, not only visible through the image.
    out = berthd.docker("run", "--rm", "-v", copied + ":/v", "busybox", "ls", "/v")
    assert "passwd" in out.stdout.split()
    out = berthd.docker("run", "--rm", "-v", empty + ":/etc:nocopy", "busybox", "ls", "-A", "/etc")
    assert "passwd" not in out.stdout.split() and "group" not in out.stdout.split()
    berthd.docker("volume", "rm", copied, empty)


def test_anonymous_volumes_go_with_rm_v_and_run_rm(berthd):
    before = volumes(berthd)
    berthd.docker("run", "--rm", "-v", "/anon", "busybox", "sh", "-c", "echo x > /anon/f")
    assert volumes(berthd) == before
    name = uniq("c")
    berthd.docker("create", "--name", name, "-v", "/anon", "busybox", "true")
    anon = volumes(berthd) - before
    assert len(anon) == 1
    info = json.loads(berthd.docker("volume", "inspect", *anon).stdout)[0]
    assert info["Labels"] == {"com.docker.volume.anonymous": ""}
    berthd.docker("rm", "-v", name)
    assert volumes(berthd) == before
    # Without -v the anonymous volume stays, dangling, until a prune.
    berthd.docker("create", "--name", name, "-v", "/anon", "busybox", "true")
    berthd.docker("rm", name)
    left = volumes(berthd) - before
    assert len(left) == 1
    dangling = berthd.docker("volume", "ls", "-q", "--filter", "dangling=true").stdout.split()
    assert left <= set(dangling)
    berthd.docker("volume", "prune", "-f")
    assert volumes(berthd) == before


def test_image_volume_is_an_anonymous_volume_with_the_image_content(berthd, tmp_path):
    name = uniq("exp")
    berthd.docker("create", "--name", name, "busybox", "true")
    archive = tmp_path / "rootfs.tar"
    berthd.docker("export", "-o", str(archive), name)
    berthd.docker("rm", name)
    data = tmp_path / "hello"
    data.write_text("image data\n")
    with tarfile.open(archive, "a") as tar:
        tar.add(str(data), arcname="data/hello")
    tag = "voltest:" + uuid.uuid4().hex[:6]
    berthd.docker("import", "--change", "VOLUME /data", str(archive), tag)
    before = volumes(berthd)
    out = berthd.docker("run", "--rm", tag, "/bin/sh", "-c", "cat /data/hello; grep -c ' /data ' /proc/mounts")
    assert out.stdout == "image data\n1\n"
    assert volumes(berthd) == before
    berthd.docker("rmi", tag)


def test_tmpfs_mounts_have_their_size_and_mode(berthd):
    out = berthd.docker("run", "--rm", "--tmpfs", "/run:size=64m,mode=1777", "busybox", "sh", "-c",
                        "grep ' /run ' /proc/mounts; stat -c %a /run")
    line, mode = out.stdout.splitlines()
    assert line.startswith("tmpfs /run tmpfs rw,nosuid,nodev,noexec")
    assert "size=65536k" in line
    assert mode == "1777"
    out = berthd.docker("run", "--rm", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770",
                        "busybox", "sh", "-c", "grep ' /t ' /proc/mounts; stat -c %a /t")
    line, mode = out.stdout.splitlines()
    assert "size=1024k" in line and mode == "1770"


def normal_mounts(mounts, daemon_dir):
    out = []
    for m in sorted(mounts, key=lambda m: m["Destination"]):
        m = dict(m)
        if m["Type"] == "volume":
            m["Source"] = m["Source"].replace(daemon_dir, "<root>")
            if re.fullmatch(r"[0-9a-f]{64}", m["Name"]):
                m["Source"] = m["Source"].replace(m["Name"], "<anon>")
                m["Name"] = "<anon>"
        out.append(m)
    return out


CREATE_ARGS = ["-v", "/etc:/a:ro", "-v", "{vol}:/b", "-v", "/c", "--tmpfs", "/d:size=64m,mode=1777",
               "--mount", "type=tmpfs,dst=/e,tmpfs-size=1m",
               "--mount", "type=volume,src={vol}2,dst=/f,volume-nocopy",
               "--mount", "type=bind,src=/usr,dst=/g,bind-propagation=rslave,readonly"]


def test_inspect_mounts_and_host_config_match_dockerd(berthd, dockerd_busybox):
    vol = uniq("iv")
    args = [a.format(vol=vol) for a in CREATE_ARGS]
    views = []
    for daemon in (berthd, dockerd_busybox):
        name = uniq("m")
        daemon.docker("create", "--name", name, *args, "busybox", "true")
        info = json.loads(daemon.docker("inspect", name).stdout)[0]
        daemon.docker("rm", "-v", name)
        daemon.docker("volume", "rm", vol, vol + "2")
        hc = info["HostConfig"]
        views.append({"Mounts": normal_mounts(info["Mounts"], os.path.join(daemon.dir, "data")),
                      # The docker CLI collects -v binds from a Go map, so
                      # their order differs from run to run: compare sorted.
                      "Binds": sorted(hc["Binds"]), "HostMounts": hc["Mounts"], "Tmpfs": hc["Tmpfs"],
                      "Volumes": info["Config"]["Volumes"]})
    assert views[0] == views[1]


def test_volume_commands_match_dockerd(berthd, dockerd_busybox):
    name = uniq("cv")
    outs = []
    for daemon in (berthd, dockerd_busybox):
        root = os.path.join(daemon.dir, "data")
        o = [daemon.docker("volume", "create", "--label", "team=a", name).stdout]
        inspect = json.loads(daemon.docker("volume", "inspect", name).stdout)[0]
        inspect["CreatedAt"] = re.sub(r"\d", "0", inspect["CreatedAt"])
        inspect["Mountpoint"] = inspect["Mountpoint"].replace(root, "<root>")
        o.append(inspect)
        o.append(daemon.docker("volume", "ls", "--filter", "name=" + name).stdout)
        o.append(daemon.docker("volume", "ls", "-q", "--filter", "label=team=a").stdout)
        o.append(daemon.docker("volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}}",
                               "--filter", "name=" + name).stdout)
        # Again: the existing volume, no error.
        o.append(daemon.docker("volume", "create", name).stdout)
        c = uniq("user")
        cid = daemon.docker("create", "--name", c, "-v", name + ":/x", "busybox", "true").stdout.strip()
        busy = daemon.docker("volume", "rm", name, check=False)
        o.append((busy.returncode, busy.stderr.replace(cid, "<id>")))
        daemon.docker("rm", c)
        o.append(daemon.docker("volume", "rm", name).stdout)
        missing = daemon.docker("volume", "inspect", name, check=False)
        o.append((missing.returncode, missing.stdout, missing.stderr))
        gone = daemon.docker("volume", "rm", name, check=False)
        o.append((gone.returncode, gone.stderr))
        bad = daemon.docker("volume", "create", "a/b", check=False)
        o.append((bad.returncode, bad.stderr))
        outs.append(o)
    assert outs[0] == outs[1]


BAD_RUNS = [
    ["-v", "/etc:/x:bad"],
    ["-v", "/etc:/x:ro,rw"],
    ["-v", "/etc:/x", "-v", "/usr:/x"],
    ["-v", "/etc:rel"],
    ["-v", "/etc:/"],
    ["-v", "a:b:c:d"],
    ["-v", "x/y:/x"],
    ["-v", "/etc:/x:nocopy"],
    ["--mount", "type=bind,src=/nonexistent-berth-e2e,dst=/x"],
    ["--mount", "type=bind,src=rel,dst=/x"],
    ["--mount", "type=volume,src=/etc,dst=/x"],
    ["--mount", "type=volume,dst=/x,readonly"],
    ["--mount", "type=bind,src=/etc,dst=/x,bind-propagation=bad"],
    ["--mount", "type=foo,dst=/x"],
    ["--tmpfs", "rel"],
    ["--tmpfs", "/x", "-v", "/etc:/x"],
    ["-v", "ok-vol-e2e:/x", "--mount", "type=bind,src=/nonexistent-berth-e2e,dst=/y"],
]


@pytest.mark.parametrize("args", BAD_RUNS, ids=[" ".join(a) for a in BAD_RUNS])
def test_bad_mounts_fail_like_dockerd_and_leave_nothing(berthd, dockerd_busybox, args):
    results = []
    for daemon in (berthd, dockerd_busybox):
        before_ps = daemon.docker("ps", "-aq").stdout
        before_vols = volumes(daemon)
        out = daemon.docker("run", "--rm", *args, "busybox", "true", check=False)
        results.append((out.returncode, out.stderr))
        assert daemon.docker("ps", "-aq").stdout == before_ps
        assert volumes(daemon) == before_vols
    assert results[0] == results[1]
    assert not os.path.exists("/nonexistent-berth-e2e")
    assert berth_mounts(berthd) == []


def test_python_docker_sdk_volumes_and_binds(berthd, tmp_path):
    docker = pytest.importorskip("docker")
    client = docker.DockerClient(base_url=berthd.host, version="auto", timeout=60)
    name = uniq("sdk")
    v = client.volumes.create(name=name, labels={"k": "v"})
    assert v.name == name and v.attrs["Labels"] == {"k": "v"}
    assert client.volumes.get(name).attrs["Mountpoint"].endswith("/volumes/%s/_data" % name)
    assert name in [x.name for x in client.volumes.list(filters={"label": "k=v"})]
    (tmp_path / "f").write_text("sdk\n")
    out = client.containers.run("busybox", ["sh", "-c", "cat /h/f; echo y > /v/y; ls /v"],
                                volumes={str(tmp_path): {"bind": "/h", "mode": "ro"},
                                         name: {"bind": "/v", "mode": "rw"}},
                                remove=True)
    assert out == b"sdk\ny\n"
    with pytest.raises(docker.errors.NotFound):
        client.volumes.get(name + "-missing")
    c = client.containers.create("busybox", "true", volumes=[name + ":/v"])
    with pytest.raises(docker.errors.APIError) as err:
        v.remove()
    assert err.value.status_code == 409
    c.remove()
    v.remove()
    assert name not in [x.name for x in client.volumes.list()]


def test_prune_is_anonymous_only_unless_all_and_df_counts(berthd):
    named = uniq("pn")
    berthd.docker("volume", "create", named)
    berthd.docker("create", "--name", named, "-v", "/anon", "busybox", "true")
    berthd.docker("rm", named)
    out = berthd.docker("volume", "prune", "-f").stdout
    assert named not in out and re.search(r"^[0-9a-f]{64}$", out, re.M)
    assert named in volumes(berthd)
    df = berthd.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}}").stdout
    assert "Local Volumes %d" % len(volumes(berthd)) in df
    out = berthd.docker("volume", "prune", "-af").stdout
    assert named in out
    assert named not in volumes(berthd)
