"""Image round trips between berth's image store and the real tools.

A private dockerd (its own data root, exec root, socket and pidfile, no
bridge, no iptables) and skopeo move images in and out of a berth data
root through berth-image-tool. The image ID (the config digest) must
survive every hop and dockerd must run the result.

Run: /usr/bin/python3 -m pytest tests/e2e/test_image_roundtrip.py
(as root; BERTH_IMAGE_TOOL may point at the tool, else build/debug is used).
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.environ.get(
    "BERTH_IMAGE_TOOL",
    os.path.join(REPO, "build", "debug", "apps", "berth-image-tool", "berth-image-tool"))

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (dockerd, mounts)"),
    pytest.mark.skipif(not os.access(TOOL, os.X_OK), reason="berth-image-tool not built: " + TOOL),
]


def need(binary):
    if shutil.which(binary) is None:
        pytest.skip(binary + " is not installed")


def sh(*args, env=None, input=None):
    r = subprocess.run(list(args), env=env, input=input, capture_output=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (
            " ".join(args), r.returncode, r.stdout.decode(errors="replace"),
            r.stderr.decode(errors="replace")))
    return r.stdout.decode()


class Docker:
    def __init__(self, base):
        self.base = base
        self.sock = os.path.join(base, "docker.sock")
        self.env = dict(os.environ, DOCKER_HOST="unix://" + self.sock, DOCKER_API_VERSION="1.41")
        self.pidfile = os.path.join(base, "docker.pid")
        self.log = open(os.path.join(base, "dockerd.log"), "wb")
        self.proc = subprocess.Popen([
            "dockerd", "--data-root", os.path.join(base, "data"),
            "--exec-root", os.path.join(base, "exec"), "-H", "unix://" + self.sock,
            "--pidfile", self.pidfile, "--bridge=none", "--iptables=false",
            "--ip-masq=false", "--userland-proxy=false"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if subprocess.run(["docker", "version"], env=self.env, capture_output=True).returncode == 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        pytest.skip("dockerd did not start (see %s/dockerd.log)" % base)

    def __call__(self, *args, input=None):
        return sh("docker", *args, env=self.env, input=input)

    def image_id(self, ref):
        return self("image", "inspect", "--format", "{{.Id}}", ref).strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def work():
    base = tempfile.mkdtemp(prefix="berth-e2e-img-", dir="/tmp")
    yield base
    subprocess.run(["sh", "-c", "grep -o ' %s[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l" % base])
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def docker(work):
    need("dockerd")
    need("docker")
    os.makedirs(os.path.join(work, "d"))
    d = Docker(os.path.join(work, "d"))
    yield d
    d.stop()


@pytest.fixture(scope="module")
def busybox(work, docker):
    """A busybox image made by `docker import` of a busybox-static rootfs."""
    if not os.path.exists("/bin/busybox"):
        pytest.skip("busybox-static is not installed")
    rootfs = os.path.join(work, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    os.makedirs(os.path.join(rootfs, "etc"))
    shutil.copy("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    for applet in sh("/bin/busybox", "--list").split():
        if applet != "busybox":
            os.symlink("busybox", os.path.join(rootfs, "bin", applet))
    with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(rootfs, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")
    tar = os.path.join(work, "busybox-rootfs.tar")
    sh("tar", "-C", rootfs, "-cf", tar, ".")
    docker("import", "-c", 'CMD ["/bin/sh"]', tar, "e2e-busybox:1")
    return {"ref": "e2e-busybox:1", "id": docker.image_id("e2e-busybox:1"), "rootfs_tar": tar}


def berth(root, *args):
    return sh(TOOL, "--root", root, *args)


def test_docker_save_berth_load_save_docker_load(work, docker, busybox):
    saved = os.path.join(work, "docker-saved.tar")
    docker("save", "-o", saved, busybox["ref"])
    root = os.path.join(work, "berth1")
    out = berth(root, "load", "-i", saved)
    assert "Loaded image: e2e-busybox:1" in out
    assert busybox["id"] in berth(root, "images")
    resaved = os.path.join(work, "berth-saved.tar")
    berth(root, "save", "-o", resaved, busybox["ref"])
    docker("tag", busybox["ref"], "e2e-keep:1")  # keep the layers; remove only the tag
    docker("rmi", busybox["ref"])
    assert "Loaded image: e2e-busybox:1" in docker("load", "-i", resaved)
    assert docker.image_id(busybox["ref"]) == busybox["id"]
    assert docker("run", "--rm", "--network", "none", busybox["ref"], "echo", "hi") == "hi\n"


def test_berth_oci_layout_through_skopeo_to_docker(work, docker, busybox):
    need("skopeo")
    saved = os.path.join(work, "docker-saved-2.tar")
    docker("save", "-o", saved, busybox["ref"])
    root = os.path.join(work, "berth2")
    berth(root, "load", "-i", saved)
    layout = os.path.join(work, "berth-layout")
    berth(root, "save-oci", layout, busybox["ref"])
    archive = os.path.join(work, "skopeo-out.tar")
    sh("skopeo", "copy", "oci:%s:1" % layout, "docker-archive:%s:e2e-skopeo:1" % archive)
    docker("load", "-i", archive)
    assert docker.image_id("e2e-skopeo:1") == busybox["id"]
    assert docker("run", "--rm", "--network", "none", "e2e-skopeo:1", "echo", "hi") == "hi\n"


def test_skopeo_oci_layout_into_berth_then_docker(work, docker, busybox):
    need("skopeo")
    saved = os.path.join(work, "docker-saved-3.tar")
    docker("save", "-o", saved, busybox["ref"])
    layout = os.path.join(work, "skopeo-layout")
    sh("skopeo", "copy", "docker-archive:" + saved, "oci:%s:latest" % layout)
    index = json.load(open(os.path.join(layout, "index.json")))
    manifest_digest = index["manifests"][0]["digest"]
    manifest = json.load(open(os.path.join(layout, "blobs", "sha256", manifest_digest.split(":")[1])))
    config_digest = manifest["config"]["digest"]  # skopeo rewrote the config as OCI
    root = os.path.join(work, "berth3")
    out = berth(root, "load-oci", layout, "--name", "e2e-oci")
    assert "Loaded image: e2e-oci:latest" in out
    inspect = berth(root, "inspect", "e2e-oci")
    assert "id " + config_digest in inspect
    assert "manifest " + manifest_digest in inspect  # original manifest bytes kept
    archive = os.path.join(work, "berth-from-oci.tar")
    berth(root, "save", "-o", archive, "e2e-oci")
    docker("load", "-i", archive)
    assert docker.image_id("e2e-oci:latest") == config_digest
    assert docker("run", "--rm", "--network", "none", "e2e-oci", "echo", "hi") == "hi\n"


def test_commit_of_a_snapshot_runs_in_docker(work, docker, busybox):
    saved = os.path.join(work, "docker-saved-4.tar")
    docker("save", "-o", saved, busybox["ref"])
    for driver in ("overlayfs", "copy"):
        root = os.path.join(work, "berth4-" + driver)
        berth(root, "load", "-i", saved)
        top = berth(root, "--snapshotter", driver, "unpack", busybox["ref"]).strip()
        berth(root, "--snapshotter", driver, "prepare", "ctr", top)
        mnt = os.path.join(work, "mnt-" + driver)
        os.makedirs(mnt)
        berth(root, "--snapshotter", driver, "mount", "ctr", mnt)
        try:
            with open(os.path.join(mnt, "hello.txt"), "w") as f:
                f.write("from a berth commit\n")
            os.unlink(os.path.join(mnt, "etc", "group"))
        finally:
            sh("umount", mnt)
        diff = berth(root, "--snapshotter", driver, "diff", "ctr")
        assert "A /hello.txt" in diff and "D /etc/group" in diff
        tag = "e2e-commit-%s:1" % driver
        berth(root, "--snapshotter", driver, "commit", "ctr", tag, "--parent", busybox["ref"],
              "-a", "e2e", "-m", "added hello", "-c", 'CMD ["cat", "/hello.txt"]')
        archive = os.path.join(work, "commit-%s.tar" % driver)
        berth(root, "save", "-o", archive, tag)
        docker("load", "-i", archive)
        assert docker("run", "--rm", "--network", "none", tag) == "from a berth commit\n"
        listing = docker("run", "--rm", "--network", "none", tag, "ls", "/etc").split()
        assert "passwd" in listing and "group" not in listing
        assert docker("image", "inspect", "--format", "{{.Author}}", tag).strip() == "e2e"


def test_import_with_changes_runs_in_docker(work, docker, busybox):
    root = os.path.join(work, "berth5")
    image_id = berth(root, "import", "-c", 'CMD ["echo", "imported by berth"]', "-c", "ENV GREETING=hi",
                     "-c", "WORKDIR /etc", busybox["rootfs_tar"], "e2e-import:1").strip()
    archive = os.path.join(work, "import.tar")
    berth(root, "save", "-o", archive, "e2e-import:1")
    docker("load", "-i", archive)
    assert docker.image_id("e2e-import:1") == image_id
    assert docker("run", "--rm", "--network", "none", "e2e-import:1") == "imported by berth\n"
    assert docker("run", "--rm", "--network", "none", "e2e-import:1", "sh", "-c",
                  "echo $GREETING $(pwd)") == "hi /etc\n"
