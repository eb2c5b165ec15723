"""berthd and Debian's dockerd on both ends of one local docker-registry:
what berthd pushes dockerd pulls with the same digest and runs, what
dockerd pushes berthd pulls and runs; the docker CLI prints the same
pull/push lines for both daemons (non-terminal output); concurrent pulls
of one image through berthd all succeed and store it once."""

import io
import json
import os
import re
import shutil
import sys
import tarfile
import threading

import pytest

from berthd_fixture import Berthd
from conftest import REPO, need_root

sys.path.insert(0, os.path.join(REPO, "tests", "integration", "registry"))
from registry_env import Registry  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("docker-registry") is None,
                                reason="docker-registry is not installed (scripts/install-deps.sh)")


@pytest.fixture(scope="module")
def berthd():
    need_root()
    daemon = Berthd().start()
    yield daemon
    daemon.cleanup()


@pytest.fixture
def registry():
    reg = Registry()
    yield reg
    reg.stop()


def repo_digests(daemon, name):
    return json.loads(daemon.docker("image", "inspect", "--format", "{{json .RepoDigests}}",
                                    name).stdout)


def pushed_digest(output):
    m = re.search(r"digest: (sha256:[0-9a-f]{64}) size: \d+", output)
    assert m, output
    return m.group(1)


def cleanup(daemon, *names):
    for name in names:
        daemon.docker("rmi", "-f", name, check=False)


@pytest.mark.parametrize("pusher", ["berthd", "dockerd"])
def test_push_by_one_daemon_pull_by_the_other_same_digest(pusher, berthd, dockerd, registry,
                                                          busybox_image):
    daemons = {"berthd": berthd, "dockerd": dockerd}
    source = daemons[pusher]
    target = daemons["dockerd" if pusher == "berthd" else "berthd"]
    name = registry.host + "/from-" + pusher + "/bb:1"
    try:
        source.docker("load", "-i", busybox_image.archive)
        source.docker("tag", "busybox:latest", name)
        digest = pushed_digest(source.docker("push", name).stdout)
        pulled = target.docker("pull", name).stdout
        assert "Digest: " + digest in pulled, pulled
        assert name.rsplit(":", 1)[0] + "@" + digest in repo_digests(target, name)
        assert target.docker("image", "inspect", "-f", "{{.Id}}", name).stdout.strip() == \
            busybox_image.image_id
        assert target.docker("run", "--rm", name, "echo", "hi").stdout == "hi\n"
    finally:
        cleanup(berthd, name)
        cleanup(dockerd, name)


def unique_layer_archive(directory):
    """A one-file rootfs no daemon has seen: the session dockerd keeps
    busybox's layer under other tests' tags, and a pull of layers a daemon
    already holds prints no per-layer lines."""
    path = os.path.join(str(directory), "unique.tar")
    data = os.urandom(16).hex().encode()
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("unique")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_cli_prints_the_same_pull_and_push_lines(berthd, dockerd, registry, busybox_image, tmp_path):
    """Same CLI, same registry, same image: berthd's progress stream renders
    to the lines dockerd's does (the push of a layer dockerd re-compresses
    has another digest, so pushes are compared with digests masked)."""
    shared = registry.host + "/lines/shared:1"
    mask = lambda text: re.sub(r"sha256:[0-9a-f]{64}|\b[0-9a-f]{12}\b|size: \d+|lines/(berthd|dockerd)",  # noqa: E731
                               "X", text)
    daemons = (("berthd", berthd), ("dockerd", dockerd))
    try:
        out = {}
        for label, daemon in daemons:
            own = registry.host + "/lines/" + label + ":1"
            daemon.docker("load", "-i", busybox_image.archive)
            daemon.docker("tag", "busybox:latest", own)
            out[label] = [mask(daemon.docker("push", own).stdout)]
            cleanup(daemon, own)
        dockerd.docker("import", unique_layer_archive(tmp_path), shared)
        dockerd.docker("push", shared)
        for label, daemon in daemons:
            cleanup(daemon, shared, "busybox:latest")
            # dockerd's transfer broadcaster drops a status that is
            # overtaken before its watcher reads it ("Verifying Checksum"
            # of a small layer, usually): compare without that line.
            first = daemon.docker("pull", shared).stdout.replace(
                ": Verifying Checksum\n", ": Download complete\n")
            out[label] += [re.sub(r"(\w+: Download complete\n)\1", r"\1", first),
                           daemon.docker("pull", shared).stdout]
        assert out["berthd"] == out["dockerd"], json.dumps(out, indent=1)
        assert "Image is up to date for " + shared in out["berthd"][2]
    finally:
        cleanup(berthd, shared, "busybox:latest")
        cleanup(dockerd, shared, "busybox:latest")


def test_concurrent_pulls_of_one_image(berthd, registry, busybox_image):
    name = registry.host + "/concurrent/bb:1"
    berthd.docker("load", "-i", busybox_image.archive)
    berthd.docker("tag", "busybox:latest", name)
    berthd.docker("push", name)
    cleanup(berthd, name, "busybox:latest")
    results = []

    def pull():
        results.append(berthd.docker("pull", name, check=False))

    threads = [threading.Thread(target=pull) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
        ids = berthd.docker("images", "-q", "--no-trunc", name).stdout.split()
        assert ids == [busybox_image.image_id]
        assert berthd.docker("run", "--rm", name, "true").returncode == 0
    finally:
        cleanup(berthd, name)
