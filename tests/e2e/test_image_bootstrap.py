"""`berth image bootstrap` against a private berthd: base images made on
this machine with no registry, then run by the docker CLI.

Debian (debootstrap --variant=minbase from Debian's mirror) is a manual
step: it needs the mirror over the network and takes minutes. Run it with
BERTH_TEST_DEBOOTSTRAP=1 (and BERTH_DEBIAN_MIRROR=<url> for a local one).
"""

import os
import shutil

import pytest

from berthd_fixture import Berthd
from conftest import build_dir, need_root, run


@pytest.fixture(scope="module")
def berthd():
    need_root()
    daemon = Berthd().start()
    yield daemon
    daemon.cleanup()


def berth(daemon, *args):
    cli = os.path.join(build_dir(), "apps", "berth", "berth")
    if not os.path.exists(cli):
        pytest.skip("berth is not built at " + cli)
    return run([cli, "-H", daemon.host, *args], timeout=1800)


def test_bootstrap_busybox_runs(berthd):
    if not os.access("/bin/busybox", os.X_OK):
        pytest.skip("busybox-static is not installed")
    made = berth(berthd, "image", "bootstrap", "busybox")
    assert made.returncode == 0, made.stderr
    assert "applets linked in /bin" in made.stdout, made.stdout
    assert "tagged busybox:latest as sha256:" in made.stdout, made.stdout
    ran = berthd.docker("run", "--rm", "busybox", "echo", "ok")
    assert ran.stdout == "ok\n"
    shell = berthd.docker("run", "--rm", "busybox", "sh", "-c", "stat -c %a /tmp; id -un; head -1 /etc/passwd")
    assert shell.stdout.splitlines() == ["1777", "root", "root:x:0:0:root:/root:/bin/sh"], shell.stdout
    cmd = berthd.docker("image", "inspect", "-f", "{{json .Config.Cmd}}", "busybox")
    assert cmd.stdout.strip() == '["sh"]'
    # A second bootstrap moves the tag to a new image (new timestamps);
    # the first stays as a dangling image until pruned.
    again = berth(berthd, "image", "bootstrap", "--tag", "bb:2", "busybox")
    assert again.returncode == 0, again.stderr
    assert berthd.docker("run", "--rm", "bb:2", "true").returncode == 0


def test_bootstrap_refuses_unknown_images(berthd):
    bad = berth(berthd, "image", "bootstrap", "alpine")
    assert bad.returncode != 0
    assert "busybox or debian" in bad.stderr


@pytest.mark.skipif(os.environ.get("BERTH_TEST_DEBOOTSTRAP") != "1",
                    reason="manual: needs Debian's mirror and minutes (BERTH_TEST_DEBOOTSTRAP=1)")
def test_bootstrap_debian_runs(berthd):
    if shutil.which("debootstrap") is None:
        pytest.skip("debootstrap is not installed")
    args = ["image", "bootstrap", "--tag", "debian:e2e", "debian"]
    if os.environ.get("BERTH_DEBIAN_MIRROR"):
        args[2:2] = ["--mirror", os.environ["BERTH_DEBIAN_MIRROR"]]
    made = berth(berthd, *args)
    assert made.returncode == 0, made.stdout + made.stderr
    ran = berthd.docker("run", "--rm", "debian:e2e", "sh", "-c",
                        "cat /etc/debian_version; ls /var/cache/apt/archives/*.deb 2>/dev/null | wc -l;"
                        " find /var/lib/apt/lists -type f | wc -l")
    version, debs, lists = ran.stdout.split()
    assert version.split(".")[0] == "12"
    assert debs == "0" and lists == "0", ran.stdout
