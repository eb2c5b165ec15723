#!/usr/bin/python3
"""Snapshot prepare latency: overlayfs (target <= 5 ms) and btrfs (<= 20 ms).

Each sample is one Snapshotter::prepare(key, parent) of a container
snapshot on a committed parent, timed inside one berth-image-tool process
(as in the daemon: a warm SQLite connection; the first call is dropped):
the SQLite transaction, the directories or the subvolume snapshot.
The overlay store lives on /var/tmp; the btrfs one on a 1 GiB loop file
made here with mkfs.btrfs. The parent is a real image: the busybox rootfs
imported and unpacked. Copy is reported too (it copies the parent tree).

Run as root: /usr/bin/python3 bench/image_snapshot_prepare.py [--samples N]
Writes bench/results/image_snapshot_prepare.json.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
def default_tool():
    for preset in ("release", "bench"):
        path = os.path.join(REPO, "build", preset, "apps", "berth-image-tool", "berth-image-tool")
        if os.access(path, os.X_OK):
            return path
    return path


TOOL = os.environ.get("BERTH_IMAGE_TOOL", default_tool())
WORK = "/var/tmp/berth-bench-prepare"
TARGETS = {"overlayfs": 5.0, "btrfs": 20.0}


def run(*cmd):
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True).stdout


def busybox_tar():
    rootfs = os.path.join(WORK, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    os.makedirs(os.path.join(rootfs, "etc"))
    shutil.copy("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    for applet in run("/bin/busybox", "--list").split():
        if applet != "busybox":
            os.symlink("busybox", os.path.join(rootfs, "bin", applet))
    tar = os.path.join(WORK, "busybox.tar")
    run("tar", "-C", rootfs, "-cf", tar, ".")
    return tar


def measure(root, driver, tar, samples):
    def tool(*args):
        return run(TOOL, "--root", root, "--snapshotter", driver, *args)
    tool("import", tar, "bench:1")
    top = tool("unpack", "bench:1").strip()
    # One process, as in the daemon: a warm SQLite connection. The first
    # call (schema load, statement cache) is dropped.
    out = tool("prepare", "--repeat", str(samples + 1), "ctr", top)
    ms = [float(line.split()[1]) for line in out.splitlines() if line.startswith("prepare_ms")]
    return ms[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    if not os.access(TOOL, os.X_OK):
        sys.exit("build berth-image-tool first (release preset) or set BERTH_IMAGE_TOOL")
    subprocess.run(["rm", "-rf", WORK])
    os.makedirs(WORK)
    results = {}
    loop_mnt = os.path.join(WORK, "btrfs")
    try:
        tar = busybox_tar()
        results["overlayfs"] = measure(os.path.join(WORK, "overlay"), "overlayfs", tar, args.samples)
        results["copy"] = measure(os.path.join(WORK, "copy"), "copy", tar, args.samples)
        img = os.path.join(WORK, "btrfs.img")
        if shutil.which("mkfs.btrfs"):
            run("truncate", "-s", "1G", img)
            run("mkfs.btrfs", "-q", img)
            os.makedirs(loop_mnt)
            run("mount", "-o", "loop", img, loop_mnt)
            results["btrfs"] = measure(os.path.join(loop_mnt, "data"), "btrfs", tar, args.samples)
    finally:
        subprocess.run(["umount", loop_mnt], capture_output=True)
        subprocess.run(["rm", "-rf", WORK])
    summary = {}
    print("snapshot prepare, %d samples each (ms):" % args.samples)
    for driver, ms in results.items():
        med = statistics.median(ms)
        p90 = sorted(ms)[int(len(ms) * 0.9) - 1]
        target = TARGETS.get(driver)
        summary[driver] = {"median_ms": med, "p90_ms": p90, "target_ms": target, "samples": ms}
        verdict = "" if target is None else ("  (target %.0f ms: %s)" % (target, "met" if med <= target else "MISSED"))
        print("  %-10s median %.3f  p90 %.3f%s" % (driver, med, p90, verdict))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    json.dump(summary, open(os.path.join(HERE, "results", "image_snapshot_prepare.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
