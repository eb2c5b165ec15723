#!/usr/bin/python3
"""Registry pull: berth vs Debian's dockerd vs skopeo, from a local registry.

The image: Debian bookworm minbase (the tree bench/image_apply.py
debootstraps into /var/cache/berth-bench/rootfs), split into three gzip
layers (everything but /usr, /usr without /usr/lib, /usr/lib) and cached
as an OCI layout. skopeo pushes it into a private docker-registry on
127.0.0.1:<free port>. Each round pulls it into a fresh store:

  registry_pull   `docker pull` against a private berthd (Docker API;
                  berthd fetches and extracts into overlayfs snapshots)
                  vs `docker pull` against a private dockerd (overlay2),
                  same CLI, registry and image; `docker rmi` after every
                  round on both, so every round fetches and extracts again
  registry_fetch  berth-image-tool pull (content store only, no unpack)
                  vs `skopeo copy docker://... oci:DIR` (fetch only)

Run as root: /usr/bin/python3 bench/registry_pull.py [--rounds N]
  registry_pull_tool  the same pull with berth-image-tool (no daemon)

Writes bench/results/registry_pull{,_tool}.json and registry_fetch.json.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration", "registry"))

import benchlib  # noqa: E402
import daemons  # noqa: E402
import image_apply  # noqa: E402
from registry_env import Registry  # noqa: E402

TOOL = image_apply.TOOL
LAYOUT = os.path.join(image_apply.CACHE, "oci-registry-bench")
WORK = "/var/tmp/berth-bench-registry"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def sha256_file(path, opener=open):
    return image_apply.sha256_file(path, opener)


def make_layout():
    if os.path.exists(os.path.join(LAYOUT, "index.json")):
        return
    image_apply.make_layer()  # ensures the debootstrapped rootfs
    rootfs = os.path.join(image_apply.CACHE, "rootfs")
    blobs = os.path.join(LAYOUT, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    parts = [["--exclude=./usr", "."], ["--exclude=./usr/lib", "./usr"], ["./usr/lib"]]
    layers, diff_ids = [], []
    for i, args in enumerate(parts):
        tar = os.path.join(LAYOUT, "layer%d.tar" % i)
        run(["tar", "-C", rootfs, "--numeric-owner", "-cf", tar] + args)
        diff_ids.append(sha256_file(tar))
        run(["gzip", "-6", "-n", tar])
        digest = sha256_file(tar + ".gz")
        size = os.path.getsize(tar + ".gz")
        os.rename(tar + ".gz", os.path.join(blobs, digest[7:]))
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest,
                       "size": size})

    def put(data):
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, d[7:]), "wb") as f:
            f.write(data)
        return {"digest": d, "size": len(data)}

    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/bash"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cdesc = put(json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **cdesc),
                "layers": layers}
    mdesc = put(json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [dict(
        mediaType="application/vnd.oci.image.manifest.v1+json", **mdesc,
        annotations={"org.opencontainers.image.ref.name": "bench"})]}
    with open(os.path.join(LAYOUT, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(LAYOUT, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


def daemon_cpu(pid):
    """CPU seconds of a daemon: its threads and the children it reaped
    (dockerd extracts layers in a re-executed child)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def report_cpu(result, cpu):
    """CPU per pull: steadier than wall time on a shared machine."""
    import statistics
    med = {k: statistics.median(v) for k, v in cpu.items() if v}
    result["daemon_cpu_seconds"] = {"median": med, "samples": cpu}
    if med.get("dockerd"):
        result["cpu_ratio"] = med["berthd"] / med["dockerd"]
        print("  daemon CPU per pull (median): berthd %.2f s, dockerd %.2f s, ratio %.3f"
              % (med["berthd"], med["dockerd"], result["cpu_ratio"]))
    benchlib.save("registry_pull", result)


def clean(path):
    subprocess.run(["rm", "-rf", path])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    if not os.access(TOOL, os.X_OK):
        sys.exit("build it first: cmake --preset release && cmake --build --preset release "
                 "--target berth-image-tool (or set BERTH_IMAGE_TOOL)")
    make_layout()
    clean(WORK)
    os.makedirs(WORK)
    registry = Registry()
    dockerd = berthd = None
    try:
        ref = registry.host + "/bench/debian:1"
        run(["skopeo", "copy", "--dest-tls-verify=false", "oci:" + LAYOUT + ":bench", "docker://" + ref])
        root = os.path.join(WORK, "berth-root")
        out = os.path.join(WORK, "skopeo-out")

        def berth(*extra):
            return benchlib.sh(TOOL, "--root", root, "pull", *extra, ref)

        berth_unpack = benchlib.Contender("berth", [("pull", berth("--unpack", "--allow-devices"))],
                                          setup=lambda: clean(root), teardown=lambda: clean(root))
        berth_fetch = benchlib.Contender("berth", [("pull", berth())],
                                         setup=lambda: clean(root), teardown=lambda: clean(root))
        skopeo = benchlib.Contender("skopeo", [("pull", benchlib.sh(
            "skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + out))],
            setup=lambda: clean(out), teardown=lambda: clean(out))
        size = sum(l["size"] for l in json.load(open(os.path.join(
            LAYOUT, "blobs", "sha256", json.load(open(os.path.join(LAYOUT, "index.json")))
            ["manifests"][0]["digest"][7:])))["layers"])
        notes = "3-layer debian bookworm minbase, %.1f MB gzip, local docker-registry" % (size / 1e6)
        if shutil.which("dockerd"):
            berthd = daemons.Berthd().start()
            dockerd = daemons.Dockerd().start()

            cpu = {"berthd": [], "dockerd": []}

            def api_pull(name, daemon, record=False):
                env = dict(os.environ, DOCKER_HOST=daemon.host)
                pull = benchlib.sh("docker", "pull", "-q", ref, env=env)

                def step():
                    before = daemon_cpu(daemon.proc.pid)
                    pull()
                    if record:
                        cpu[name].append(daemon_cpu(daemon.proc.pid) - before)
                return benchlib.Contender(name, [("pull", step)],
                                          teardown=lambda: run(["docker", "rmi", ref], env=env))

            result = benchlib.compare("registry_pull", api_pull("berthd", berthd, True),
                                      api_pull("dockerd", dockerd, True),
                                      iterations=args.rounds, warmup=1, target_ratio=0.4,
                                      notes=notes + "; docker pull through each daemon's API, fetch + extract")
            report_cpu(result, {k: v[-args.rounds:] for k, v in cpu.items()})
            benchlib.compare("registry_pull_tool", berth_unpack, api_pull("dockerd", dockerd),
                             iterations=args.rounds, warmup=1, target_ratio=0.4,
                             notes=notes + "; berth-image-tool pull --unpack vs docker pull")
        benchlib.compare("registry_fetch", berth_fetch, skopeo, iterations=args.rounds, warmup=1,
                         notes=notes + "; fetch only (berth without --unpack, skopeo to an OCI dir)")
    finally:
        for daemon in (berthd, dockerd):
            if daemon:
                daemon.stop()
        registry.stop()
        clean(WORK)


if __name__ == "__main__":
    main()
