"""Pull and push through berth-image-tool against real registries.

Every test starts its own docker-registry (and token server / proxy) on
127.0.0.1 and uses fresh berth data roots under a temp dir. Run:
/usr/bin/python3 -m pytest tests/integration/registry
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from registry_env import (MKIMAGE, TOOL, Proxy, Registry, TokenServer, free_port, htpasswd_auth,
                          put_manifest, tool)

pytestmark = [
    pytest.mark.skipif(shutil.which("docker-registry") is None,
                       reason="docker-registry is not installed (scripts/install-deps.sh)"),
    pytest.mark.skipif(not os.access(TOOL, os.X_OK), reason="berth-image-tool not built: " + TOOL),
]


@pytest.fixture(scope="module")
def fixture_dir():
    d = tempfile.mkdtemp(prefix="berth-regfix-")
    subprocess.run(["/usr/bin/python3", MKIMAGE, "busybox", "--oci", os.path.join(d, "oci"),
                    "--archive", os.path.join(d, "busybox.tar")], check=True, capture_output=True)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def tmp(tmp_path):
    return str(tmp_path)


@pytest.fixture
def registry():
    r = Registry()
    yield r
    r.stop()


def loaded_store(tmp, fixture_dir, name="src"):
    root = os.path.join(tmp, name)
    tool(root, "load", "-i", os.path.join(fixture_dir, "busybox.tar"))
    return root


def inspect(root, name):
    out = tool(root, "inspect", name).stdout.splitlines()
    info = {"layers": []}
    for line in out:
        k, _, v = line.partition(" ")
        if k == "layer":
            info["layers"].append(v.split()[0])
        else:
            info.setdefault(k, v)
    return info


def blob_files(root):
    d = os.path.join(root, "blobs", "sha256")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def json_lines(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def test_push_then_pull_round_trips_digests(tmp, fixture_dir, registry):
    src = loaded_store(tmp, fixture_dir)
    ref = registry.host + "/test/busybox:v1"
    pushed = tool(src, "push", "busybox:latest", ref).stdout
    digest = pushed.split()[-4]
    want = inspect(src, "busybox:latest")
    assert digest == want["manifest"].split()[0]
    dst = os.path.join(tmp, "dst")
    out = tool(dst, "pull", "--json", ref).stdout
    msgs = json_lines(out)
    statuses = [m.get("status") for m in msgs]
    assert statuses[0] == "Pulling from test/busybox"
    assert "Pulling fs layer" in statuses and "Download complete" in statuses
    assert any(m.get("status") == "Downloading" and m["progressDetail"].get("total") for m in msgs)
    assert statuses[-2] == "Digest: " + digest
    assert statuses[-1] == "Status: Downloaded newer image for " + ref
    got = inspect(dst, ref)
    assert got["id"] == want["id"] and got["manifest"] == want["manifest"]
    assert got["layers"] == want["layers"]
    # Blobs on disk hash to their names.
    for name in blob_files(dst):
        with open(os.path.join(dst, "blobs", "sha256", name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == name
    again = tool(dst, "pull", ref).stdout
    # As dockerd: an image already here with all its layers pulls
    # without layer lines.
    assert "Status: Image is up to date for " + ref in again
    assert "Already exists" not in again and "Pulling fs layer" not in again


def test_pull_by_digest_unpack_and_chunked_push_with_mount(tmp, fixture_dir, registry):
    src = loaded_store(tmp, fixture_dir)
    out = tool(src, "push", "--chunk-size", "65536", "busybox:latest", registry.host + "/a/bb:1").stdout
    assert "uploaded=2" in out
    digest = out.split()[-4]
    # A second repository on the same registry: blobs are mounted, not sent.
    out = tool(src, "push", "busybox:latest", registry.host + "/b/bb:1").stdout
    assert "Mounted from a/bb" in out and "mounted=2" in out
    dst = os.path.join(tmp, "dst")
    out = tool(dst, "--snapshotter", "copy", "pull", "--unpack", registry.host + "/b/bb@" + digest).stdout
    assert "Extracting" in out and "Pull complete" in out
    snaps = tool(dst, "--snapshotter", "copy", "snapshots").stdout
    assert inspect(dst, registry.host + "/b/bb@" + digest)["layers"][0] in snaps


def test_index_platform_selection(tmp, fixture_dir, registry):
    src = loaded_store(tmp, fixture_dir)
    out = tool(src, "push", "busybox:latest", registry.host + "/multi/bb:single").stdout
    mdigest = out.split()[-4]
    with open(os.path.join(src, "blobs", "sha256", mdigest.split(":")[1]), "rb") as f:
        msize = len(f.read())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest, "size": msize,
         "platform": {"os": "linux", "architecture": arch}} for arch in ("arm64", "amd64")]}
    body = json.dumps(index).encode()
    put_manifest(registry.host, "multi/bb", "all", body, index["mediaType"])
    dst = os.path.join(tmp, "dst")
    out = tool(dst, "pull", "--platform", "linux/amd64", registry.host + "/multi/bb:all").stdout
    assert "Digest: sha256:" + hashlib.sha256(body).hexdigest() in out
    r = tool(dst, "pull", "--platform", "linux/s390x", registry.host + "/multi/bb:all", check=False)
    assert r.returncode != 0 and "linux/s390x" in r.stderr


def test_corrupted_blob_is_refused_and_nothing_committed(tmp, fixture_dir, registry):
    src = loaded_store(tmp, fixture_dir)
    tool(src, "push", "busybox:latest", registry.host + "/c/bb:1")
    layer = inspect(src, "busybox:latest")["layers"][0]
    proxy = Proxy(registry.port, mode="corrupt")
    try:
        dst = os.path.join(tmp, "dst")
        r = tool(dst, "pull", "127.0.0.1:%d/c/bb:1" % proxy.port, check=False)
    finally:
        proxy.stop()
    assert r.returncode != 0
    assert "verification failed" in r.stderr and "digest" in r.stderr
    assert layer.split(":")[1] not in blob_files(dst)
    assert os.listdir(os.path.join(dst, "blobs", "ingest")) == []
    assert tool(dst, "images").stdout.strip() == ""


def test_retries_5xx_429_and_resumes_cut_transfers(tmp, fixture_dir, registry):
    src = loaded_store(tmp, fixture_dir)
    tool(src, "push", "busybox:latest", registry.host + "/r/bb:1")
    want = inspect(src, "busybox:latest")
    for mode in ("503", "429", "cut"):
        proxy = Proxy(registry.port, mode=mode, count=2)
        try:
            dst = os.path.join(tmp, "dst-" + mode)
            tool(dst, "pull", "127.0.0.1:%d/r/bb:1" % proxy.port)
        finally:
            proxy.stop()
        assert inspect(dst, "127.0.0.1:%d/r/bb:1" % proxy.port)["id"] == want["id"]
        if mode == "cut":
            # The retry after a cut asks for the rest only.
            assert any(rng and rng.startswith("bytes=") and rng != "bytes=0-" for _, rng in proxy.blob_gets)


def test_registry_down_is_a_clear_error(tmp):
    port = free_port()
    r = tool(os.path.join(tmp, "dst"), "pull", "127.0.0.1:%d/x/y:1" % port, check=False)
    assert r.returncode != 0
    assert "127.0.0.1:%d is unreachable" % port in r.stderr
    assert "Couldn't connect to server" in r.stderr


def test_basic_auth_htpasswd(tmp, fixture_dir):
    d = tempfile.mkdtemp(prefix="berth-htpasswd-")
    reg = Registry(auth=htpasswd_auth(d, {"alice": "s3cret"}))
    try:
        src = loaded_store(tmp, fixture_dir)
        ref = reg.host + "/auth/bb:1"
        r = tool(src, "push", "busybox:latest", ref, check=False)
        assert r.returncode != 0 and "unauthorized: authentication required" in r.stderr
        r = tool(src, "push", "-u", "alice:wrong", "busybox:latest", ref, check=False)
        assert r.returncode != 0 and "unauthorized" in r.stderr
        tool(src, "push", "-u", "alice:s3cret", "busybox:latest", ref)
        # Credentials from a docker config.json (DOCKER_CONFIG).
        cfgdir = os.path.join(tmp, "docker-config")
        os.makedirs(cfgdir)
        with open(os.path.join(cfgdir, "config.json"), "w") as f:
            json.dump({"auths": {"http://" + reg.host: {
                "auth": base64.b64encode(b"alice:s3cret").decode()}}}, f)
        env = dict(os.environ, DOCKER_CONFIG=cfgdir)
        dst = os.path.join(tmp, "dst")
        tool(dst, "pull", ref, env=env)
        assert inspect(dst, ref)["id"] == inspect(src, "busybox:latest")["id"]
        # Credentials from a credential helper named in credHelpers.
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        helper = os.path.join(bindir, "docker-credential-berthtest")
        with open(helper, "w") as f:
            f.write('#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "%s" ] || exit 1\n'
                    'echo \'{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}\'\n' % (reg.host, reg.host))
        os.chmod(helper, 0o755)
        with open(os.path.join(cfgdir, "config.json"), "w") as f:
            json.dump({"credHelpers": {reg.host: "berthtest"}}, f)
        env = dict(os.environ, DOCKER_CONFIG=cfgdir, PATH=bindir + ":" + os.environ["PATH"])
        tool(os.path.join(tmp, "dst3"), "pull", ref, env=env)
        r = tool(os.path.join(tmp, "dst2"), "pull", ref, check=False)
        assert r.returncode != 0
        assert ('Get "http://%s/v2/auth/bb/manifests/1": unauthorized: authentication required' % reg.host) in r.stderr
    finally:
        reg.stop()
        shutil.rmtree(d, ignore_errors=True)


def test_bearer_token_flow(tmp, fixture_dir):
    ts = TokenServer({"alice": "pw"})
    reg = Registry(auth=ts.registry_auth())
    try:
        src = loaded_store(tmp, fixture_dir)
        ref = reg.host + "/tok/bb:1"
        r = tool(src, "push", "busybox:latest", ref, check=False)
        assert r.returncode != 0 and "incorrect username or password" in r.stderr
        tool(src, "push", "-u", "alice:pw", "busybox:latest", ref)
        assert any(q.get("scope") == ["repository:tok/bb:pull,push"] and q.get("service") == ["berth-test"]
                   for q in ts.requests)
        dst = os.path.join(tmp, "dst")
        tool(dst, "pull", "-u", "alice:pw", ref)
        assert any(q.get("scope") == ["repository:tok/bb:pull"] for q in ts.requests)
        assert inspect(dst, ref)["manifest"] == inspect(src, "busybox:latest")["manifest"]
    finally:
        reg.stop()
        ts.stop()


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")
def test_skopeo_interop(tmp, fixture_dir, registry):
    # skopeo pushes, berth pulls.
    ref = registry.host + "/sk/bb:1"
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:" + os.path.join(fixture_dir, "oci"),
                    "docker://" + ref], check=True, capture_output=True)
    raw = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + ref],
                         check=True, capture_output=True).stdout
    dst = os.path.join(tmp, "dst")
    out = tool(dst, "pull", ref).stdout
    assert "Digest: sha256:" + hashlib.sha256(raw).hexdigest() in out
    # berth pushes, skopeo reads the same manifest and copies it out.
    ref2 = registry.host + "/sk/bb2:1"
    out = tool(dst, "push", ref, ref2).stdout
    assert out.split()[-4] == "sha256:" + hashlib.sha256(raw).hexdigest()
    info = json.loads(subprocess.run(["skopeo", "inspect", "--tls-verify=false", "docker://" + ref2],
                                     check=True, capture_output=True).stdout)
    assert info["Digest"] == "sha256:" + hashlib.sha256(raw).hexdigest()
    out_dir = os.path.join(tmp, "skopeo-out")
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false", "docker://" + ref2, "oci:" + out_dir],
                   check=True, capture_output=True)
    with open(os.path.join(out_dir, "index.json")) as f:
        assert json.load(f)["manifests"][0]["digest"] == info["Digest"]
