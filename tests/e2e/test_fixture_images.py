"""The fixture tool builds the busybox image reproducibly, and the
incumbent accepts what it builds."""

import filecmp
import os

from conftest import MKIMAGE, run


def build(out):
    os.makedirs(out)
    res = run(["/usr/bin/python3", MKIMAGE, "busybox", "--oci", out + "/oci",
               "--archive", out + "/busybox.tar"], check=True)
    return res.stdout.strip()


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.diff_files or cmp.funny_files:
        return False
    return all(same_tree(os.path.join(a, d), os.path.join(b, d)) for d in cmp.common_dirs)


def test_busybox_image_is_byte_for_byte_reproducible(tmp_path, busybox_image):
    id1 = build(str(tmp_path / "one"))
    id2 = build(str(tmp_path / "two"))
    assert id1 == id2 == busybox_image.image_id
    assert filecmp.cmp(tmp_path / "one/busybox.tar", tmp_path / "two/busybox.tar", shallow=False)
    assert same_tree(str(tmp_path / "one/oci"), str(tmp_path / "two/oci"))


def test_busybox_rootfs_has_applets_users_and_modes(busybox_image):
    root = busybox_image.rootfs
    assert oct(os.stat(root).st_mode & 0o7777) == "0o755"
    assert os.path.samefile(os.path.join(root, "bin/sh"), os.path.join(root, "bin/busybox"))
    assert os.path.exists(os.path.join(root, "bin/echo"))
    with open(os.path.join(root, "etc/passwd")) as f:
        assert f.read().startswith("root:x:0:0:")
    with open(os.path.join(root, "etc/group")) as f:
        assert "nogroup:x:65534:" in f.read()
    assert oct(os.stat(os.path.join(root, "tmp")).st_mode & 0o7777) == "0o1777"


def test_dockerd_loads_archive_and_runs_echo(dockerd, busybox_image):
    out = dockerd.docker("load", "-i", busybox_image.archive)
    assert "Loaded image: busybox:latest" in out.stdout
    image_id = dockerd.docker("image", "inspect", "-f", "{{.Id}}", "busybox:latest").stdout.strip()
    assert image_id == busybox_image.image_id
    run_out = dockerd.docker("run", "--rm", "--network", "none", "busybox", "echo", "hi")
    assert run_out.stdout == "hi\n"


def test_python_docker_sdk_sees_loaded_image(dockerd, busybox_image):
    import docker  # Debian's python3-docker
    dockerd.docker("load", "-i", busybox_image.archive)
    client = docker.DockerClient(base_url=dockerd.host)
    tags = [t for image in client.images.list() for t in image.tags]
    assert "busybox:latest" in tags
    output = client.containers.run("busybox:latest", ["sh", "-c", "echo $((6*7))"],
                                   network_mode="none", remove=True)
    assert output == b"42\n"
