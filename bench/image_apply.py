#!/usr/bin/python3
"""Layer apply: berth vs the incumbents, on the Debian minbase layer.

The layer is made once with `debootstrap --variant=minbase bookworm` (apt
caches removed) and `tar | gzip -6`, cached under /var/cache/berth-bench (not in the repo).
Each round applies the same gzip'd layer with every tool into a fresh
empty directory, the tools in rotating order (alternating, so drift on a
shared machine hits all of them), and reports medians and berth's ratio:

  berth      berth-image-tool apply (src/image/apply.cpp; release build)
  containerd its applier via ctr: `ctr images mount` of an OCI archive
             imported with --no-unpack (a private containerd; unpack +
             mount, minus nothing -- the mount itself is ~1 ms)
  umoci      `umoci unpack` of an OCI layout holding the layer
  gnutar     `tar -xzpf --numeric-owner` (GNU tar + gzip), the floor

Run as root: /usr/bin/python3 bench/image_apply.py [--rounds N]
Writes bench/results/image_apply.json.
"""
import argparse
import gzip
import hashlib
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CACHE = os.environ.get("BERTH_BENCH_CACHE", "/var/cache/berth-bench")
LAYER = os.path.join(CACHE, "debian-minbase.tar.gz")
def default_tool():
    for preset in ("release", "bench"):
        path = os.path.join(REPO, "build", preset, "apps", "berth-image-tool", "berth-image-tool")
        if os.access(path, os.X_OK):
            return path
    return path


TOOL = os.environ.get("BERTH_IMAGE_TOOL", default_tool())
WORK = "/var/tmp/berth-bench-apply"  # same filesystem as a data root, not tmpfs


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def make_layer():
    if os.path.exists(LAYER):
        return
    os.makedirs(CACHE, exist_ok=True)
    rootfs = os.path.join(CACHE, "rootfs")
    if not os.path.exists(os.path.join(rootfs, "etc", "debian_version")):
        run(["debootstrap", "--variant=minbase", "bookworm", rootfs, "http://deb.debian.org/debian"])
    # Like the published debian image: no downloaded .debs or apt lists
    # (127 MB tree, ~49 MB gzip).
    run(["sh", "-c", "rm -rf %s/var/cache/apt/archives/*.deb %s/var/cache/apt/*.bin %s/var/lib/apt/lists/*"
         % (rootfs, rootfs, rootfs)])
    run(["sh", "-c", "tar -C %s --numeric-owner -cf - . | gzip -6 > %s.tmp && mv %s.tmp %s"
         % (rootfs, LAYER, LAYER, LAYER)])


def sha256_file(path, opener=open):
    h = hashlib.sha256()
    with opener(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def make_oci(layout):
    """An OCI layout (dir and tar) with the gzip'd layer as its only layer."""
    if os.path.exists(os.path.join(layout, "index.json")):
        return
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data):
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        open(os.path.join(blobs, d[7:]), "wb").write(data)
        return {"digest": d, "size": len(data)}

    layer_digest = sha256_file(LAYER)
    shutil.copy(LAYER, os.path.join(blobs, layer_digest[7:]))
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/bash"]},
              "rootfs": {"type": "layers", "diff_ids": [sha256_file(LAYER, gzip.open)]}}
    cdesc = put(json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **cdesc),
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": layer_digest, "size": os.path.getsize(LAYER)}]}
    mdesc = put(json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [dict(
        mediaType="application/vnd.oci.image.manifest.v1+json", **mdesc,
        annotations={"org.opencontainers.image.ref.name": "bench",
                     "io.containerd.image.name": "docker.io/library/bench:latest"})]}
    open(os.path.join(layout, "index.json"), "w").write(json.dumps(index))
    open(os.path.join(layout, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
    with tarfile.open(layout + ".tar", "w") as t:
        for name in ("oci-layout", "index.json", "blobs"):
            t.add(os.path.join(layout, name), arcname=name)


def clean(path):
    subprocess.run(["rm", "-rf", path])


class Containerd:
    def __init__(self, base, archive):
        self.base = base
        self.sock = os.path.join(base, "containerd.sock")
        os.makedirs(base, exist_ok=True)
        self.log = open(os.path.join(base, "containerd.log"), "wb")
        self.proc = subprocess.Popen(["containerd", "--root", os.path.join(base, "root"), "--state",
                                      os.path.join(base, "state"), "--address", self.sock],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if os.path.exists(self.sock) and self.ctr("version", check=False).returncode == 0:
                break
            time.sleep(0.1)
        self.archive = archive
        self.round = 0

    def ctr(self, *args, check=True, ns="bench"):
        return subprocess.run(["ctr", "-a", self.sock, "-n", ns] + list(args), check=check,
                              capture_output=True)

    def setup(self):
        # A fresh namespace per round, so the layer is applied again.
        self.round += 1
        self.ns = "bench%d" % self.round
        self.ctr("images", "import", "--no-unpack", self.archive, ns=self.ns)
        self.target = os.path.join(self.base, "mnt%d" % self.round)
        os.makedirs(self.target)

    def apply(self):
        self.ctr("images", "mount", "docker.io/library/bench:latest", self.target, ns=self.ns)

    def teardown(self):
        self.ctr("images", "unmount", "--rm", self.target, ns=self.ns, check=False)
        self.ctr("images", "rm", "docker.io/library/bench:latest", ns=self.ns, check=False)
        os.rmdir(self.target)

    def cpu(self):
        """CPU seconds the daemon has used so far (all its threads)."""
        fields = open("/proc/%d/stat" % self.proc.pid).read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        subprocess.run(["sh", "-c", "grep -o ' %s[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"
                        % self.base])
        clean(self.base)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--tmpfs", action="store_true",
                    help="extract into a tmpfs: the CPU cost of apply without disk and journal noise")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    if not os.access(TOOL, os.X_OK):
        sys.exit("build it first: cmake --preset release && cmake --build --preset release "
                 "--target berth-image-tool (or set BERTH_IMAGE_TOOL)")
    make_layer()
    clean(WORK)
    os.makedirs(WORK)
    if args.tmpfs:
        run(["mount", "-t", "tmpfs", "-o", "size=2G", "tmpfs", WORK])
    layout = os.path.join(CACHE, "oci-bench")
    make_oci(layout)

    tools = {}
    dest = os.path.join(WORK, "dest")
    # debootstrap leaves device nodes in /dev; every other tool creates them too.
    tools["berth"] = (lambda: os.makedirs(dest), lambda: run([TOOL, "apply", "--allow-devices", dest, LAYER]),
                      lambda: clean(dest))
    if shutil.which("ctr") and shutil.which("containerd"):
        cd = Containerd(os.path.join(WORK, "containerd"), layout + ".tar")
        tools["containerd"] = (cd.setup, cd.apply, cd.teardown)
    else:
        cd = None
    if shutil.which("umoci"):
        bundle = os.path.join(WORK, "bundle")
        tools["umoci"] = (lambda: None,
                          lambda: run(["umoci", "unpack", "--image", layout + ":bench", bundle]),
                          lambda: clean(bundle))
    tools["gnutar"] = (lambda: os.makedirs(dest),
                       lambda: run(["tar", "-C", dest, "--numeric-owner", "-xpzf", LAYER]),
                       lambda: clean(dest))

    times = {name: [] for name in tools}
    cpu = {name: [] for name in tools}

    def children_cpu():
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime + (cd.cpu() if cd else 0.0)
    names = list(tools)
    try:
        for r in range(args.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                setup, apply, teardown = tools[name]
                setup()
                subprocess.run(["sync"])
                c0 = children_cpu()
                t0 = time.monotonic()
                apply()
                times[name].append(time.monotonic() - t0)
                cpu[name].append(children_cpu() - c0)
                teardown()
            print("round %d: %s" % (r + 1, "  ".join("%s %.2fs/%.2fs" % (n, times[n][-1], cpu[n][-1])
                                                     for n in names)), flush=True)
    finally:
        if cd:
            cd.stop()
        if args.tmpfs:
            # containerd's last mounts can linger for a moment after it exits.
            for _ in range(20):
                if subprocess.run(["umount", WORK], capture_output=True).returncode == 0:
                    break
                time.sleep(0.5)
            else:
                subprocess.run(["umount", "-l", WORK])
        clean(WORK)

    med = {n: statistics.median(v) for n, v in times.items()}
    med_cpu = {n: statistics.median(v) for n, v in cpu.items()}
    result = {"layer": LAYER, "layer_bytes": os.path.getsize(LAYER), "rounds": args.rounds,
              "target": "tmpfs" if args.tmpfs else "ext4 (/var/tmp)",
              "median_seconds": med, "median_cpu_seconds": med_cpu, "samples": times, "cpu_samples": cpu,
              "ratios": {"berth/" + n: med["berth"] / med[n] for n in med if n != "berth"},
              "cpu_ratios": {"berth/" + n: med_cpu["berth"] / med_cpu[n] for n in med if n != "berth"}}
    print("\nmedians for %s (%.1f MB gzip), wall and CPU (user+sys, all processes/threads):"
          % (LAYER, os.path.getsize(LAYER) / 1e6))
    for n in names:
        print("  %-10s %7.3f s wall  %7.3f s cpu" % (n, med[n], med_cpu[n]))
    for k in result["ratios"]:
        print("  %-18s %.2fx wall  %.2fx cpu" % (k, result["ratios"][k], result["cpu_ratios"][k]))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    name = "image_apply_tmpfs.json" if args.tmpfs else "image_apply.json"
    json.dump(result, open(os.path.join(HERE, "results", name), "w"), indent=2)


if __name__ == "__main__":
    main()
