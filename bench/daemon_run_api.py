"""The daemons' share of `docker run --rm busybox true`, without the CLI.

Sends, from this one long-lived Python process over each daemon's Unix
socket, the requests the docker CLI 28 sends for `docker run --rm busybox
true` (/work/shared/docker-api-trace.md, section 2): `HEAD /_ping` and
the create (AutoRemove) on one keep-alive connection, the hijacked
attach (stdout+stderr, stream) on a second, `wait?condition=removed` on a
third (like the CLI's client, start is only sent once the wait's headers
are in), then start on the first, the attach stream until EOF and the
wait result. berthd and dockerd alternate (bench/benchlib.py); each step
is timed, so the table shows where each daemon spends its time.

Also measured in the same run, with the same daemons: the same command
through the docker CLI (`CLI_ITERATIONS`, default 10, 0 = skip) and
`docker --version`, the CLI's own start-up with no daemon at all: the
floor under any daemon's CLI-level number. Set ITERATIONS (default 30)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import build_image, start_both  # noqa: E402

API = "/v1.41"  # dockerd 20.10's maximum; berthd serves it too
HEADERS = "Host: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n"

# The CLI's create body for `run --rm busybox true`, trimmed to the keys
# that are not at their zero value.
CREATE_BODY = json.dumps({
    "AttachStdin": False, "AttachStdout": True, "AttachStderr": True, "Tty": False,
    "OpenStdin": False, "StdinOnce": False, "Image": "busybox", "Cmd": ["true"],
    "HostConfig": {"AutoRemove": True, "NetworkMode": "default",
                   "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
                   "LogConfig": {"Type": "", "Config": {}}},
    "NetworkingConfig": {"EndpointsConfig": {"default": {}}},
}).encode()


class Conn:
    """One HTTP/1.1 connection over a Unix socket, read through a buffer."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")

    def send(self, method, path, body=b"", extra=""):
        head = "%s %s HTTP/1.1\r\n%s%s" % (method, path, HEADERS, extra)
        if method == "POST" or body:
            head += "Content-Type: %s\r\nContent-Length: %d\r\n" % (
                "application/json" if body else "text/plain", len(body))
        self.sock.sendall(head.encode() + b"\r\n" + body)

    def head(self):
        """Status and headers (lower-case names) of the next response."""
        status = int(self.file.readline().split()[1])
        headers = {}
        while True:
            line = self.file.readline()
            if line in (b"\r\n", b"\n", b""):
                return status, headers
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()

    def body(self, method, status, headers):
        if method == "HEAD" or status in (101, 204, 304):
            return b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.file.readline().split(b";")[0], 16)
                chunk = self.file.read(size + 2)[:size]
                if size == 0:
                    return out
                out += chunk
        if "content-length" in headers:
            return self.file.read(int(headers["content-length"]))
        return self.file.read()

    def call(self, method, path, body=b"", expect=(200,)):
        self.send(method, path, body)
        status, headers = self.head()
        data = self.body(method, status, headers)
        if status not in expect:
            raise RuntimeError("%s %s: %d %s" % (method, path, status, data[:200]))
        return data

    def close(self):
        self.file.close()
        self.sock.close()


class RunRm:
    """The CLI's request sequence, split into timed steps sharing state."""

    def __init__(self, socket_path):
        self.path = socket_path
        self.main = self.attach = self.wait = None
        self.cid = None

    def steps(self):
        return [("create", self.create), ("attach+wait", self.attach_and_wait),
                ("start", self.start), ("removed", self.removed)]

    def create(self):
        self.main = Conn(self.path)
        self.main.call("HEAD", "/_ping")
        self.cid = json.loads(self.main.call("POST", API + "/containers/create", CREATE_BODY,
                                             expect=(201,)))["Id"]

    def attach_and_wait(self):
        base = "%s/containers/%s" % (API, self.cid)
        self.attach = Conn(self.path)
        self.attach.send("POST", base + "/attach?stderr=1&stdout=1&stream=1",
                         extra="Connection: Upgrade\r\nUpgrade: tcp\r\n")
        status, _ = self.attach.head()
        if status != 101:
            raise RuntimeError("attach: %d" % status)
        self.wait = Conn(self.path)
        self.wait.send("POST", base + "/wait?condition=removed")
        self.wait_head = self.wait.head()
        if self.wait_head[0] != 200:
            raise RuntimeError("wait: %d" % self.wait_head[0])

    def start(self):
        self.main.call("POST", "%s/containers/%s/start" % (API, self.cid), expect=(204,))

    def removed(self):
        self.attach.file.read()  # `true` writes nothing: the daemon closes the stream at exit
        result = json.loads(self.wait.body("POST", *self.wait_head))
        if result.get("StatusCode") != 0:
            raise RuntimeError("wait: %s" % result)
        for c in (self.main, self.attach, self.wait):
            c.close()


def cli_floor(iterations):
    """`docker --version`: the docker CLI's start-up alone (no daemon contacted)."""
    walls = []
    for _ in range(iterations):
        start = time.perf_counter()
        subprocess.run(["docker", "--version"], check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
    return benchlib.summarize(walls)


def main():
    iterations = int(os.environ.get("ITERATIONS", "30"))
    cli_iterations = int(os.environ.get("CLI_ITERATIONS", "10"))
    workdir = tempfile.mkdtemp(prefix="berth-bench-run-api-", dir="/tmp")
    archive = build_image(workdir)
    berthd, dockerd = start_both(archive)
    try:
        load = [os.getloadavg()[0]]
        api = benchlib.compare(
            "daemon_run_api",
            benchlib.Contender("berthd", RunRm(berthd.socket).steps()),
            benchlib.Contender("dockerd", RunRm(dockerd.socket).steps()),
            iterations=iterations, warmup=3, target_ratio=0.1,
            notes="the docker CLI's requests for `docker run --rm busybox true`, sent from one "
                  "Python process over the Unix socket; both daemons without networking")
        load.append(os.getloadavg()[0])
        if cli_iterations:
            cmd = ("docker", "run", "--rm", "busybox", "true")
            b_env = dict(os.environ, DOCKER_HOST=berthd.host)
            d_env = dict(os.environ, DOCKER_HOST=dockerd.host)
            cli = benchlib.compare(
                "daemon_run_cli",
                benchlib.Contender("berthd", [("run", benchlib.sh(*cmd, env=b_env))]),
                benchlib.Contender("dockerd", [("run", benchlib.sh(*cmd, env=d_env))]),
                iterations=cli_iterations, warmup=2, target_ratio=0.1,
                notes="docker CLI `docker run --rm busybox true`, same daemons as daemon_run_api")
            api["cli_ratio"] = cli["ratio"]
            load.append(os.getloadavg()[0])
        floor = cli_floor(max(cli_iterations, 10))
        print("docker --version (CLI start-up, no daemon): median %.1f ms, min %.1f ms" % (
            floor["median_ms"], floor["min_ms"]))
        print("load average (1 min) during the run: %s; %s UTC" % (
            " / ".join("%.2f" % x for x in load), time.strftime("%Y-%m-%d %H:%M", time.gmtime())))
        api["cli_floor"] = floor
        api["load_average"] = load
        benchlib.save("daemon_run_api", api)
    finally:
        berthd.stop()
        dockerd.stop()
        subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
