"""docker push / pull / login against berthd with Debian's docker-registry
on 127.0.0.1:<free port> (plain, htpasswd Basic auth, Bearer tokens from
the test token server): the real
docker CLI renders berthd's JSON progress stream, and the pulled image
runs."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from berthd_fixture import Berthd
from conftest import REPO, need_root

sys.path.insert(0, os.path.join(REPO, "tests", "integration", "registry"))
from registry_env import Registry, TokenServer, free_port, htpasswd_auth  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("docker-registry") is None,
                                reason="docker-registry is not installed (scripts/install-deps.sh)")


@pytest.fixture(scope="module")
def berthd():
    need_root()
    daemon = Berthd().start()
    yield daemon
    daemon.cleanup()


@pytest.fixture
def cli_env(tmp_path):
    """A private docker CLI config dir, so logins never touch root's."""
    return dict(os.environ, DOCKER_CONFIG=str(tmp_path / "docker-config"))


def test_push_pull_run_round_trip(berthd, busybox_image, cli_env):
    reg = Registry()
    try:
        name = reg.host + "/bb"
        berthd.docker("load", "-i", busybox_image.archive, env=cli_env)
        berthd.docker("tag", "busybox:latest", name, env=cli_env)
        pushed = berthd.docker("push", name, env=cli_env)
        assert "The push refers to repository [%s]" % name in pushed.stdout
        assert "Pushed" in pushed.stdout
        digest_line = [l for l in pushed.stdout.splitlines() if "digest: sha256:" in l]
        assert digest_line and digest_line[0].startswith("latest: digest: sha256:"), pushed.stdout
        digest = digest_line[0].split()[2]

        berthd.docker("rmi", name, "busybox:latest", env=cli_env)
        pulled = berthd.docker("pull", name, env=cli_env)
        out = pulled.stdout
        assert "latest: Pulling from bb" in out, out
        assert "Pull complete" in out, out
        assert "Digest: " + digest in out, out
        assert "Status: Downloaded newer image for " + name + ":latest" in out, out
        again = berthd.docker("pull", name, env=cli_env)
        assert "Status: Image is up to date for " + name + ":latest" in again.stdout

        inspect = json.loads(berthd.docker("image", "inspect", name, env=cli_env).stdout)[0]
        assert inspect["Id"] == busybox_image.image_id
        assert name + "@" + digest in inspect["RepoDigests"]
        assert berthd.docker("run", "--rm", name, "echo", "hi", env=cli_env).stdout == "hi\n"

        # Without a tag, every tag of the repository is pushed (as dockerd).
        berthd.docker("tag", name, name + ":v2", env=cli_env)
        both = berthd.docker("push", "--all-tags", name, env=cli_env).stdout
        assert "latest: digest: " + digest in both and "v2: digest: " + digest in both, both

        # Before the stream starts, errors are HTTP errors as with dockerd.
        missing = berthd.docker("pull", reg.host + "/nope:1", check=False, env=cli_env)
        assert missing.returncode != 0
        assert "manifest unknown" in missing.stderr, missing.stderr
    finally:
        for image in berthd.docker("images", "-q", "--no-trunc").stdout.split():
            berthd.docker("rmi", "-f", image, check=False)
        reg.stop()


def test_login_and_authenticated_push_pull(berthd, busybox_image, cli_env):
    d = tempfile.mkdtemp(prefix="berth-htpasswd-")
    reg = Registry(auth=htpasswd_auth(d, {"alice": "s3cret"}))
    try:
        bad = berthd.docker("login", "-u", "alice", "--password-stdin", reg.host, input="wrong\n",
                            check=False, env=cli_env)
        assert bad.returncode != 0
        assert "401 Unauthorized" in bad.stderr, bad.stderr

        name = reg.host + "/private/bb"
        berthd.docker("load", "-i", busybox_image.archive, env=cli_env)
        berthd.docker("tag", "busybox:latest", name, env=cli_env)
        anonymous = berthd.docker("push", name, check=False, env=cli_env)
        # The refusal comes after the stream started: an errorDetail line.
        assert anonymous.returncode != 0
        assert "The push refers to repository [%s]" % name in anonymous.stdout
        assert "unauthorized: authentication required" in anonymous.stderr, anonymous.stderr

        good = berthd.docker("login", "-u", "alice", "--password-stdin", reg.host, input="s3cret\n",
                             env=cli_env)
        assert "Login Succeeded" in good.stdout
        berthd.docker("push", name, env=cli_env)
        berthd.docker("rmi", name, env=cli_env)
        # Without X-Registry-Auth the pull is refused before any progress.
        raw = berthd.raw(("POST /images/create?fromImage=%s&tag=latest HTTP/1.1\r\nHost: x\r\n"
                          "Connection: close\r\nContent-Length: 0\r\n\r\n" % name).encode(), timeout=30)
        assert raw.startswith(b"HTTP/1.1 401"), raw
        assert b"authentication required" in raw, raw
        pulled = berthd.docker("pull", name, env=cli_env)
        assert "Status: Downloaded newer image for " + name + ":latest" in pulled.stdout
    finally:
        for image in berthd.docker("images", "-q", "--no-trunc").stdout.split():
            berthd.docker("rmi", "-f", image, check=False)
        reg.stop()
        shutil.rmtree(d, ignore_errors=True)


def test_login_with_bearer_token_flow(berthd, cli_env):
    ts = TokenServer({"alice": "pw"})
    reg = Registry(auth=ts.registry_auth())
    try:
        bad = berthd.docker("login", "-u", "alice", "--password-stdin", reg.host, input="nope\n",
                            check=False, env=cli_env)
        assert bad.returncode != 0
        assert "incorrect username or password" in bad.stderr, bad.stderr
        good = berthd.docker("login", "-u", "alice", "--password-stdin", reg.host, input="pw\n",
                             env=cli_env)
        assert "Login Succeeded" in good.stdout
        assert any(q.get("service") == ["berth-test"] for q in ts.requests)
    finally:
        reg.stop()
        ts.stop()


def test_docker_io_mirrors_fall_back_in_order(busybox_image, cli_env):
    """`docker pull busybox` through berthd with three docker.io mirrors:
    the first is down (closed port), the second lacks the image, the third
    has it — the pull must come from the third. The test never lets berthd
    reach registry-1.docker.io: a mirror always has the image."""
    need_root()
    empty, full = Registry(), Registry()
    closed = "127.0.0.1:%d" % free_port()
    daemon = None
    try:
        subprocess.run(["skopeo", "copy", "--dest-tls-verify=false",
                        "docker-archive:" + busybox_image.archive,
                        "docker://%s/library/busybox:latest" % full.host],
                       check=True, capture_output=True)
        mirrors = []
        for host in (closed, empty.host, full.host):
            mirrors += ["--registry-mirror", "http://" + host]
        daemon = Berthd(extra_args=mirrors).start()
        pulled = daemon.docker("pull", "busybox", env=cli_env).stdout
        assert "latest: Pulling from library/busybox" in pulled, pulled
        assert "Status: Downloaded newer image for busybox:latest" in pulled, pulled
        assert daemon.docker("run", "--rm", "busybox", "echo", "mirrored").stdout == "mirrored\n"
        info = json.loads(daemon.docker("info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout)
        assert info == ["http://%s/" % h for h in (closed, empty.host, full.host)], info
    finally:
        if daemon:
            daemon.cleanup()
        empty.stop()
        full.stop()


def _put_index(registry, repo, manifest_ref, platforms):
    """An OCI index over one pushed manifest, listed once per platform."""
    import hashlib
    import urllib.request
    base = "http://%s/v2/%s/manifests/" % (registry.host, repo)
    req = urllib.request.Request(base + manifest_ref, headers={
        "Accept": "application/vnd.oci.image.manifest.v1+json"})
    with urllib.request.urlopen(req) as r:
        body = r.read()
    entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body)}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [dict(entry, platform=p) for p in platforms]}
    data = json.dumps(index).encode()
    put = urllib.request.Request(base + "multi", data=data, method="PUT", headers={
        "Content-Type": "application/vnd.oci.image.index.v1+json"})
    urllib.request.urlopen(put).close()


def test_distribution_inspect_matches_dockerd(berthd, dockerd, busybox_image):
    """GET /distribution/{name}/json (docker SDK's inspect_distribution /
    get_registry_data) for a single manifest, an index, a digest reference
    and a missing tag: berthd answers as dockerd does."""
    import docker
    reg = Registry()
    try:
        for tag, fmt in (("v2s2", "v2s2"), ("oci", "oci")):
            subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", "--format", fmt,
                            "docker-archive:" + busybox_image.archive,
                            "docker://%s/bb:%s" % (reg.host, tag)], check=True, capture_output=True)
        _put_index(reg, "bb", "oci", [{"architecture": "amd64", "os": "linux"},
                                      {"architecture": "arm64", "os": "linux", "variant": "v8"}])
        clients = {name: docker.DockerClient(base_url=d.host, version="auto", timeout=60)
                   for name, d in (("berthd", berthd), ("dockerd", dockerd))}
        answers = {}
        for name, client in clients.items():
            got = {}
            for tag in ("v2s2", "oci", "multi"):
                got[tag] = client.api.inspect_distribution("%s/bb:%s" % (reg.host, tag))
            digest = got["oci"]["Descriptor"]["digest"]
            got["by-digest"] = client.api.inspect_distribution("%s/bb@%s" % (reg.host, digest))
            with pytest.raises(docker.errors.APIError) as missing:
                client.api.inspect_distribution("%s/bb:nope" % reg.host)
            got["missing"] = (missing.value.status_code, "manifest unknown" in str(missing.value))
            answers[name] = got
        # Debian's dockerd 20.10 reads the platform only from schema2
        # manifests and answers null for an OCI one; later dockerds (and
        # berthd) read the OCI manifest's config too.
        for tag in ("oci", "by-digest"):
            assert answers["dockerd"][tag]["Platforms"] is None
            assert answers["berthd"][tag]["Platforms"] == [{"architecture": "amd64", "os": "linux"}]
            answers["dockerd"][tag]["Platforms"] = answers["berthd"][tag]["Platforms"]
        assert answers["berthd"] == answers["dockerd"], json.dumps(answers, indent=1)
        multi = answers["berthd"]["multi"]
        assert [p["architecture"] for p in multi["Platforms"]] == ["amd64", "arm64"], multi
        assert answers["berthd"]["v2s2"]["Platforms"] == [{"architecture": "amd64", "os": "linux"}]
        registry_data = clients["berthd"].images.get_registry_data("%s/bb:multi" % reg.host)
        assert registry_data.has_platform("linux/arm64/v8")
    finally:
        reg.stop()
