"""Shared pieces of the networking benchmarks: scratch namespaces and the
berth-net-bench driver. Everything happens inside namespaces created here
and deleted on exit; no packet leaves them."""

import atexit
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tool_path():
    for preset in ("bench-release", "release", "debug"):
        path = os.path.join(ROOT, "build", preset, "bench", "net_tools", "berth-net-bench")
        if os.path.exists(path):
            return path
    raise SystemExit("build berth-net-bench first (cmake --build --preset release)")


def run(*cmd, check=True):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), proc.stderr.strip()))
    return proc.stdout


class Netns:
    """A named namespace (ip netns) with lo up, deleted at exit."""

    def __init__(self, name):
        self.name = name
        self.path = "/run/netns/" + name
        run("ip", "netns", "del", name, check=False)
        run("ip", "netns", "add", name)
        run("ip", "-n", name, "link", "set", "lo", "up")
        atexit.register(self.close)

    def exec(self, *cmd, check=True):
        return run("ip", "netns", "exec", self.name, *cmd, check=check)

    def spawn(self, *cmd):
        proc = subprocess.Popen(["ip", "netns", "exec", self.name] + list(cmd),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(lambda: (proc.kill(), proc.wait()))
        return proc

    def close(self):
        run("ip", "netns", "del", self.name, check=False)


class Manager:
    """berth's network manager in a driver process, working in `host`."""

    def __init__(self, host):
        self.dir = tempfile.mkdtemp(prefix="berth-net-bench-")
        self.proc = subprocess.Popen([tool_path(), "manager", host.path, self.dir],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline().strip()
        if ready != "ready":
            raise RuntimeError("manager: " + ready)
        atexit.register(self.close)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise RuntimeError("%s: %s" % (line, answer))
        return answer.split()[1:]

    def netns_path(self, cid):
        return os.path.join(self.dir, cid)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait()
        # Namespace files left by an interrupted run are still bind mounts.
        for name in os.listdir(self.dir):
            subprocess.run(["umount", "-l", os.path.join(self.dir, name)],
                           stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", self.dir])
