"""berthd's local-image endpoints driven by the real docker CLI 28, Debian's
python3-docker and skopeo, side by side with Debian's dockerd 20.10 on the
same busybox archive (tests/fixtures/mkimage.py)."""

import io
import json
import os
import tarfile

import pytest

from berthd_fixture import Berthd
from conftest import need_root, need_tool, run


@pytest.fixture(scope="module")
def berthd():
    need_root()
    daemon = Berthd().start()
    yield daemon
    daemon.cleanup()


@pytest.fixture
def loaded(berthd, busybox_image):
    """busybox:latest loaded into berthd (fresh for each test)."""
    berthd.docker("load", "-i", busybox_image.archive)
    yield busybox_image
    for image in berthd.docker("images", "-q", "--no-trunc").stdout.split():
        berthd.docker("rmi", "-f", image, check=False)


def api_pinned(daemon, version, *args, check=True):
    """The docker CLI at a fixed API version (dockerd 20.10 speaks 1.41)."""
    env = dict(os.environ, DOCKER_HOST=daemon.host, DOCKER_API_VERSION=version)
    proc = run(["docker", *args], env=env)
    if check and proc.returncode != 0:
        raise AssertionError("docker %s: %s" % (" ".join(args), proc.stderr))
    return proc


def test_docker_load_prints_what_dockerd_prints(berthd, dockerd, busybox_image):
    ours = berthd.docker("load", "-i", busybox_image.archive)
    theirs = dockerd.docker("load", "-i", busybox_image.archive)
    assert ours.stdout == theirs.stdout == "Loaded image: busybox:latest\n"
    quiet = berthd.docker("load", "-q", "-i", busybox_image.archive)
    assert quiet.stdout == "Loaded image: busybox:latest\n"
    berthd.docker("rmi", "busybox")


def test_docker_images_matches_dockerd(berthd, dockerd, loaded):
    dockerd.docker("load", "-i", loaded.archive)
    for args in (["images", "busybox"], ["images", "--no-trunc", "busybox"],
                 ["images", "--digests", "busybox"],
                 ["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.CreatedAt}}",
                  "--filter", "reference=busy*"]):
        assert berthd.docker(*args).stdout == dockerd.docker(*args).stdout, args
    assert berthd.docker("images", "-q").stdout.strip() == loaded.image_id[7:19]


def test_image_list_filters(berthd, loaded):
    berthd.docker("tag", "busybox", "example.com/team/tool:2")
    refs = lambda *f: berthd.docker("images", "--format", "{{.Repository}}:{{.Tag}}", *f).stdout.split()
    assert sorted(refs()) == ["busybox:latest", "example.com/team/tool:2"]
    assert refs("--filter", "reference=busybox") == ["busybox:latest"]
    assert refs("--filter", "reference=example.com/*/*") == ["example.com/team/tool:2"]
    assert refs("--filter", "reference=*:2") == []  # '*' never crosses '/'
    assert refs("--filter", "dangling=true") == []
    assert refs("--filter", "label=nope") == []
    assert refs("--filter", "before=busybox") == []
    assert refs("--filter", "since=busybox") == []
    bad = berthd.docker("images", "--filter", "color=red", check=False)
    assert bad.returncode == 1 and "invalid filter 'color'" in bad.stderr


def test_image_inspect_matches_dockerd(berthd, dockerd, loaded):
    dockerd.docker("load", "-i", loaded.archive)
    ours = json.loads(api_pinned(berthd, "1.41", "image", "inspect", "busybox").stdout)[0]
    theirs = json.loads(api_pinned(dockerd, "1.41", "image", "inspect", "busybox").stdout)[0]
    assert list(ours) == list(theirs)  # same fields, same order
    for key in ("Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Container",
                "ContainerConfig", "DockerVersion", "Author", "Config", "Architecture", "Os",
                "Size", "VirtualSize", "RootFS"):
        assert ours[key] == theirs[key], key
    # At the API version berthd advertises, the fields dockerd 25+ drops go.
    latest = json.loads(berthd.docker("image", "inspect", loaded.image_id).stdout)[0]
    assert "VirtualSize" not in latest and latest["Id"] == loaded.image_id
    assert berthd.docker("image", "inspect", "-f", "{{.Config.Cmd}}", "busybox").stdout == "[sh]\n"
    missing = berthd.docker("image", "inspect", "nope:1", check=False)
    assert missing.returncode == 1 and "No such image: nope:1" in missing.stderr


def test_docker_history_matches_dockerd(berthd, dockerd, loaded):
    dockerd.docker("load", "-i", loaded.archive)
    for args in (["history", "busybox"], ["history", "--no-trunc", "busybox"],
                 ["history", "--format", "{{.ID}} {{.CreatedBy}} {{.Size}} {{.Comment}}", "busybox"]):
        assert berthd.docker(*args).stdout == dockerd.docker(*args).stdout, args


def test_tag_and_rmi_follow_dockers_rules(berthd, loaded):
    short = loaded.image_id[7:19]
    berthd.docker("tag", "busybox", "other/bb:1")
    berthd.docker("tag", short, "busybox:two")
    # By ID while two repositories hold it: refused without -f.
    conflict = berthd.docker("rmi", short, check=False)
    assert conflict.returncode == 1
    assert ("conflict: unable to delete %s (must be forced) - image is referenced in multiple "
            "repositories" % short) in conflict.stderr
    # Removing a tag only untags while others remain.
    assert berthd.docker("rmi", "other/bb:1").stdout == "Untagged: other/bb:1\n"
    assert berthd.docker("rmi", "busybox:two").stdout == "Untagged: busybox:two\n"
    # The last tag deletes the image, and its blobs go with it.
    out = berthd.docker("rmi", "busybox").stdout
    assert out == "Untagged: busybox:latest\nDeleted: %s\n" % loaded.image_id
    blobs = os.path.join(berthd.dir, "data", "blobs", "sha256")
    assert os.listdir(blobs) == []
    gone = berthd.docker("rmi", "busybox", check=False)
    assert gone.returncode == 1 and "No such image: busybox" in gone.stderr
    bad = berthd.docker("tag", loaded.image_id, "UPPER:1", check=False)
    assert bad.returncode != 0


def test_rmi_force_by_id_untags_every_repository(berthd, loaded):
    berthd.docker("tag", "busybox", "other/bb:1")
    out = berthd.docker("rmi", "-f", loaded.image_id[7:19]).stdout.splitlines()
    assert sorted(out[:-1]) == ["Untagged: busybox:latest", "Untagged: other/bb:1"]
    assert out[-1] == "Deleted: " + loaded.image_id


def test_docker_save_then_dockerd_load_keeps_the_id(berthd, dockerd, loaded, tmp_path):
    out = str(tmp_path / "saved.tar")
    berthd.docker("save", "-o", out, "busybox")
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "repositories" in names
    dockerd.docker("rmi", "-f", "busybox", check=False)
    assert dockerd.docker("load", "-i", out).stdout == "Loaded image: busybox:latest\n"
    assert dockerd.docker("image", "inspect", "-f", "{{.Id}}", "busybox").stdout.strip() == loaded.image_id
    # By ID: the archive carries no tag.
    by_id = str(tmp_path / "by-id.tar")
    berthd.docker("save", "-o", by_id, loaded.image_id)
    with tarfile.open(by_id) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest[0]["RepoTags"] in (None, [])
    missing = berthd.docker("save", "-o", str(tmp_path / "x.tar"), "nope", check=False)
    assert missing.returncode == 1 and "No such image: nope" in missing.stderr


def test_issue5_round_trip_dockerd_berthd_dockerd(berthd, dockerd, busybox_image, tmp_path):
    """dockerd save -> berthd load -> berthd save -> dockerd load: same ID, runs."""
    dockerd.docker("load", "-i", busybox_image.archive)
    dockerd.docker("tag", "busybox", "roundtrip/bb:1")
    first = str(tmp_path / "from-dockerd.tar")
    dockerd.docker("save", "-o", first, "roundtrip/bb:1")
    dockerd.docker("rmi", "roundtrip/bb:1")
    assert berthd.docker("load", "-i", first).stdout == "Loaded image: roundtrip/bb:1\n"
    second = str(tmp_path / "from-berthd.tar")
    berthd.docker("save", "-o", second, "roundtrip/bb:1")
    berthd.docker("rmi", "roundtrip/bb:1")
    assert dockerd.docker("load", "-i", second).stdout == "Loaded image: roundtrip/bb:1\n"
    image_id = dockerd.docker("image", "inspect", "-f", "{{.Id}}", "roundtrip/bb:1").stdout.strip()
    assert image_id == busybox_image.image_id
    ran = dockerd.docker("run", "--rm", "--network", "none", "roundtrip/bb:1", "echo", "hi")
    assert ran.stdout == "hi\n"
    dockerd.docker("rmi", "roundtrip/bb:1")


def test_skopeo_oci_layout_to_docker_archive_into_berthd(berthd, busybox_image, tmp_path):
    need_tool("skopeo")
    archive = str(tmp_path / "skopeo.tar")
    proc = run(["skopeo", "copy", "--quiet", "oci:" + busybox_image.oci + ":latest",
                "docker-archive:" + archive + ":skopeo/bb:1"])
    if proc.returncode != 0:  # older layouts name the ref differently
        proc = run(["skopeo", "copy", "--quiet", "oci:" + busybox_image.oci,
                    "docker-archive:" + archive + ":skopeo/bb:1"])
    assert proc.returncode == 0, proc.stderr
    assert berthd.docker("load", "-i", archive).stdout == "Loaded image: skopeo/bb:1\n"
    inspected = json.loads(berthd.docker("image", "inspect", "skopeo/bb:1").stdout)[0]
    # skopeo keeps the config bytes, so the ID is the fixture's.
    assert inspected["Id"] == busybox_image.image_id
    assert inspected["RootFS"]["Layers"] and inspected["Config"]["Cmd"] == ["sh"]
    berthd.docker("rmi", "skopeo/bb:1")


def rootfs_tar(busybox_image):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(busybox_image.rootfs, arcname=".")
    return buf.getvalue()


def test_docker_import_with_changes(berthd, dockerd, busybox_image, tmp_path):
    path = tmp_path / "rootfs.tar"
    path.write_bytes(rootfs_tar(busybox_image))
    out = berthd.docker("import", "--change", "CMD [\"echo\", \"imported\"]",
                        "--change", "ENV COLOR=blue", "-m", "from the test",
                        str(path), "imported/bb:1").stdout.strip()
    assert out.startswith("sha256:") and len(out) == 71
    config = json.loads(berthd.docker("image", "inspect", "-f", "{{json .Config}}", "imported/bb:1").stdout)
    assert config["Cmd"] == ["echo", "imported"] and "COLOR=blue" in config["Env"]
    history = berthd.docker("history", "--format", "{{.Comment}}", "imported/bb:1").stdout
    assert history == "from the test\n"
    # From stdin, untagged: a dangling image.
    with open(path, "rb") as f:
        anon = berthd.docker("import", "-", stdin=f, text=False).stdout.decode().strip()
    dangling = berthd.docker("images", "-q", "--no-trunc", "--filter", "dangling=true").stdout.split()
    assert anon in dangling
    # The imported image is a real image: dockerd runs it.
    saved = str(tmp_path / "imported.tar")
    berthd.docker("save", "-o", saved, "imported/bb:1")
    dockerd.docker("load", "-i", saved)
    ran = dockerd.docker("run", "--rm", "--network", "none", "imported/bb:1")
    assert ran.stdout == "imported\n"
    dockerd.docker("rmi", "imported/bb:1")
    berthd.docker("rmi", "imported/bb:1")
    pruned = berthd.docker("image", "prune", "-f").stdout
    assert "deleted: " + anon in pruned.lower()
    assert berthd.docker("images", "-q").stdout == ""


def test_image_prune_all_and_events(berthd, loaded):
    import time
    since = str(time.time())
    berthd.docker("tag", "busybox", "keep/bb:1")
    # Dangling-only prune leaves tagged images alone.
    assert "Total reclaimed space: 0B" in berthd.docker("image", "prune", "-f").stdout
    out = berthd.docker("image", "prune", "-a", "-f").stdout
    assert "untagged: busybox:latest" in out and "deleted: " + loaded.image_id in out
    assert "Total reclaimed space: 1.98MB" in out or "Total reclaimed space:" in out
    assert berthd.docker("images", "-q").stdout == ""
    events = berthd.docker("events", "--since", since, "--until", str(time.time()),
                           "--filter", "type=image", "--format", "{{.Action}}").stdout.split()
    assert events[:1] == ["tag"] and "untag" in events and "delete" in events and "prune" in events


def test_python_docker_images(berthd, busybox_image, tmp_path):
    docker = pytest.importorskip("docker")
    client = docker.DockerClient(base_url=berthd.host, version="auto", timeout=60)
    with open(busybox_image.archive, "rb") as f:
        images = client.images.load(f.read())
    assert [i.id for i in images] == [busybox_image.image_id]
    listed = client.images.list()
    assert [(i.id, i.tags) for i in listed] == [(busybox_image.image_id, ["busybox:latest"])]
    image = client.images.get("busybox")
    assert image.attrs["Config"]["Cmd"] == ["sh"] and image.labels == {}
    assert image.tag("py/bb", "2") and "py/bb:2" in client.images.get("busybox").tags
    data = b"".join(image.save(named=True))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert "manifest.json" in tar.getnames()
    assert [h["Id"] for h in image.history()][0] == busybox_image.image_id
    client.images.remove("py/bb:2")
    client.images.remove(busybox_image.image_id)
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get("busybox")
    assert client.images.list() == []


def test_load_of_garbage_is_an_error_and_daemon_keeps_serving(berthd, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar archive" * 1000)
    out = berthd.docker("load", "-i", str(junk), check=False)
    assert out.returncode == 1 and out.stderr
    assert berthd.docker("images", "-q").stdout == ""
    blobs = os.path.join(berthd.dir, "data", "blobs", "sha256")
    assert os.listdir(blobs) == []
