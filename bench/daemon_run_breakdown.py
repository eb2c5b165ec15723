"""Where `docker run --rm busybox true` spends its time against berthd.

Starts a private berthd (release build when there is one) in a cpuacct
cgroup of its own, so the CPU time of berthd, its monitors and their
runtime children is counted together, then alternates three commands:

- `docker version`: the docker CLI's own floor (start-up + 2 requests),
- `docker run --rm busybox true`,
- `docker ps -a` right after each run (must show no leftover container),

and prints the medians, the berthd-side CPU per run and the load average.
With STRACE=1 it then traces RUNS_TRACED runs (default 3) of berthd and
its children with `strace -f -ttt` (syscalls that mark the steps) and
prints a timeline relative to the first accepted API connection; the raw
trace stays in the printed directory. Set ITERATIONS (default 20).
BASELINE=<dir with berthd, berth-monitor, berth-init of another build>
runs that build beside this one, alternating, for a before/after."""

import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemons import Berthd, build_image, preload  # noqa: E402

CPUACCT = "/sys/fs/cgroup/cpuacct"


def timed(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1e3, cpu * 1e3, proc.stdout


class CpuGroup:
    """A cpuacct v1 group (or none on a v2-only host: CPU is then not shown)."""

    def __init__(self):
        self.path = None
        if os.path.isdir(CPUACCT):
            self.path = tempfile.mkdtemp(prefix="berth-bench-", dir=CPUACCT)

    def join(self, pid):
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
                f.write(str(pid))

    def usage_ms(self):
        if not self.path:
            return 0.0
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e6

    def remove(self):
        if self.path:
            os.rmdir(self.path)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def trace(berthd, env, runs):
    out = tempfile.mkdtemp(prefix="berth-bench-trace-", dir="/tmp")
    path = os.path.join(out, "strace")
    calls = ("accept4,connect,clone,clone3,execve,wait4,waitid,mount,umount2,fsync,fdatasync,"
             "rmdir,mkdir,unlinkat,renameat2,rename,pidfd_open,exit_group,pivot_root,unshare,setns")
    st = subprocess.Popen(["strace", "-f", "-ttt", "-T", "--seccomp-bpf", "-e", "trace=" + calls,
                           "-o", path, "-p", str(berthd.proc.pid)], stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    marks = []
    for _ in range(runs):
        marks.append(time.time())
        timed(("docker", "run", "--rm", "busybox", "true"), env)
        marks.append(time.time())
        time.sleep(0.3)
    st.terminate()
    st.wait()
    with open(path) as f:
        lines = f.readlines()
    for i in range(0, len(marks), 2):
        print("--- traced run %d: %.1f ms wall" % (i // 2 + 1, (marks[i + 1] - marks[i]) * 1e3))
        t0 = marks[i]
        for line in lines:
            m = re.match(r"(\d+)\s+(\d+\.\d+)\s+(.*)", line)
            if not m:
                continue
            t = float(m.group(2))
            if marks[i] <= t <= marks[i + 1] + 0.05:
                print("%8.2f %6s %s" % ((t - t0) * 1e3, m.group(1), m.group(3)[:150]))
    print("raw trace:", path)


class BaselineBerthd(Berthd):
    """berthd from another build (BASELINE=<dir holding berthd and berth-monitor>)."""

    def __init__(self, directory):
        super().__init__()
        self.binary = os.path.join(directory, "berthd")

    def command(self):
        cmd = super().command()
        cmd[0] = self.binary
        return cmd


class Subject:
    def __init__(self, name, daemon):
        self.name, self.daemon, self.group = name, daemon, None
        self.version, self.runs, self.ps, self.cpu_cli, self.cpu_daemon = [], [], [], [], []

    def start(self, archive):
        preload(self.daemon, archive)
        self.group = CpuGroup()
        self.daemon.start()
        self.group.join(self.daemon.proc.pid)
        self.env = dict(os.environ, DOCKER_HOST=self.daemon.host)

    def once(self, run):
        self.version.append(timed(("docker", "version"), self.env)[0])
        before = self.group.usage_ms()
        wall, cli, _ = timed(run, self.env)
        self.cpu_daemon.append(self.group.usage_ms() - before)
        self.runs.append(wall)
        self.cpu_cli.append(cli)
        wall, _, listed = timed(("docker", "ps", "-aq"), self.env)
        self.ps.append(wall)
        if listed.strip():
            print("%s: leftover containers after run --rm: %s" % (self.name, listed.split()))

    def report(self):
        print("[%s]" % self.name)
        print("  docker version        median %6.1f ms  min %6.1f" % (med(self.version), min(self.version)))
        print("  docker run --rm true  median %6.1f ms  min %6.1f" % (med(self.runs), min(self.runs)))
        print("  docker ps -aq         median %6.1f ms  min %6.1f" % (med(self.ps), min(self.ps)))
        print("  CPU per run: docker CLI %.1f ms, berthd+monitor+runtime %.1f ms (medians)" % (
            med(self.cpu_cli), med(self.cpu_daemon)))

    def stop(self):
        self.daemon.stop()
        if self.group:
            self.group.remove()


def main():
    iterations = int(os.environ.get("ITERATIONS", "20"))
    workdir = tempfile.mkdtemp(prefix="berth-bench-breakdown-", dir="/tmp")
    archive = build_image(workdir)
    subjects = [Subject("berthd", Berthd())]
    if os.environ.get("BASELINE"):
        subjects.append(Subject("baseline", BaselineBerthd(os.environ["BASELINE"])))
    try:
        for s in subjects:
            s.start(archive)
        run = ("docker", "run", "--rm", "busybox", "true")
        for s in subjects:
            for _ in range(3):
                timed(run, s.env)
        load_before = os.getloadavg()
        for i in range(iterations):
            for s in (subjects if i % 2 == 0 else subjects[::-1]):
                s.once(run)
        load_after = os.getloadavg()
        for s in subjects:
            s.report()
        print("load average before %.2f, after %.2f; %s UTC" % (
            load_before[0], load_after[0], time.strftime("%Y-%m-%d %H:%M", time.gmtime())))
        if os.environ.get("STRACE"):
            trace(subjects[0].daemon, subjects[0].env, int(os.environ.get("RUNS_TRACED", "3")))
    finally:
        for s in subjects:
            s.stop()
        subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
