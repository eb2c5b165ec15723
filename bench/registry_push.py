#!/usr/bin/python3
"""Registry push: `docker push` through berthd vs through Debian's dockerd.

The image is registry_pull's 3-layer Debian bookworm minbase (an OCI
layout cached under /var/cache/berth-bench). skopeo puts it into a source
registry once; each daemon pulls it from there once (untimed). Every
round then starts a fresh, empty docker-registry on 127.0.0.1:<new port>,
tags the image for it and times `docker push` through each daemon, so
every round uploads all three layers, the config and the manifest (a
fresh registry also rules out cross-repository mounts and "layer already
exists" shortcuts).

What each side does: berthd uploads the compressed blobs it stored at
pull time and the manifest bytes unchanged; dockerd (overlay2) keeps no
compressed layers, so it re-tars and re-compresses each layer on push.

Run as root: /usr/bin/python3 bench/registry_push.py [--rounds N]
Writes bench/results/registry_push.json.
"""
import argparse
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
import registry_pull  # noqa: E402
from registry_env import Registry  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


class PushTarget:
    """A fresh registry per round and the daemon's tag for it."""

    def __init__(self, daemon, source_ref):
        self.env = dict(os.environ, DOCKER_HOST=daemon.host)
        self.source_ref = source_ref
        self.registry = None
        self.ref = None

    def setup(self):
        self.registry = Registry()
        self.ref = self.registry.host + "/bench/pushed:1"
        run(["docker", "tag", self.source_ref, self.ref], env=self.env)

    def push(self):
        benchlib.sh("docker", "push", "-q", self.ref, env=self.env)()

    def teardown(self):
        subprocess.run(["docker", "rmi", self.ref], env=self.env, capture_output=True)
        self.registry.stop()

    def contender(self, name):
        return benchlib.Contender(name, [("push", self.push)], setup=self.setup,
                                  teardown=self.teardown)


def pushed_digest(target):
    """The manifest digest a push left in the registry (digests stability)."""
    out = run(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + target.ref])
    import hashlib
    return "sha256:" + hashlib.sha256(out.stdout).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    if not shutil.which("dockerd"):
        sys.exit("needs Debian's dockerd (apt-get install docker.io)")
    registry_pull.make_layout()
    source = Registry()
    berthd = dockerd = None
    try:
        ref = source.host + "/bench/debian:1"
        run(["skopeo", "copy", "--dest-tls-verify=false",
             "oci:" + registry_pull.LAYOUT + ":bench", "docker://" + ref])
        with open(os.path.join(registry_pull.LAYOUT, "index.json")) as f:
            source_digest = json.load(f)["manifests"][0]["digest"]
        berthd = daemons.Berthd().start()
        dockerd = daemons.Dockerd().start()
        targets = {}
        for name, daemon in (("berthd", berthd), ("dockerd", dockerd)):
            run(["docker", "pull", "-q", ref], env=dict(os.environ, DOCKER_HOST=daemon.host))
            targets[name] = PushTarget(daemon, ref)
        # One checked push each: the digest berth pushes is the one it pulled.
        for name, target in targets.items():
            target.setup()
            try:
                target.push()
                digest = pushed_digest(target)
                print("  %s pushed manifest %s (%s the source's)" % (
                    name, digest, "same as" if digest == source_digest else "differs from"))
            finally:
                target.teardown()
        benchlib.compare(
            "registry_push", targets["berthd"].contender("berthd"),
            targets["dockerd"].contender("dockerd"), iterations=args.rounds, warmup=1,
            target_ratio=0.5,
            notes="3-layer debian bookworm minbase pulled from a local registry, pushed to a "
                  "fresh local docker-registry every round; docker push through each daemon")
    finally:
        for daemon in (berthd, dockerd):
            if daemon:
                daemon.stop()
        source.stop()


if __name__ == "__main__":
    main()
