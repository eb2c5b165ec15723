"""`docker version` round trip (the CLI's HEAD /_ping + GET /version over
a fresh connection each time) against berthd and Debian's dockerd, and the
same two requests on a kept-alive raw socket (the daemon's share alone)."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import Berthd, Dockerd  # noqa: E402


def raw_round_trip(sock_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    files = s.makefile("rb")

    def read_response():
        length = 0
        while True:
            line = files.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return files.read(length)

    def step():
        s.sendall(b"HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response_head_only()
        s.sendall(b"GET /v1.41/version HTTP/1.1\r\nHost: x\r\n\r\n")
        body = read_response()
        assert b"ApiVersion" in body

    def read_response_head_only():
        while files.readline() not in (b"\r\n", b""):
            pass

    return step, s


def main():
    iterations = int(os.environ.get("ITERATIONS", "30"))
    berthd, dockerd = Berthd().start(), Dockerd().start()
    try:
        b_env = dict(os.environ, DOCKER_HOST=berthd.host)
        d_env = dict(os.environ, DOCKER_HOST=dockerd.host)
        benchlib.compare(
            "api_docker_version",
            benchlib.Contender("berthd", [("version", benchlib.sh("docker", "version", env=b_env))]),
            benchlib.Contender("dockerd", [("version", benchlib.sh("docker", "version", env=d_env))]),
            iterations=iterations,
            notes="docker CLI 28 `docker version` (process start + HEAD /_ping + GET /version)")
        b_step, b_sock = raw_round_trip(berthd.socket)
        d_step, d_sock = raw_round_trip(dockerd.socket)
        benchlib.compare(
            "api_ping_version_raw",
            benchlib.Contender("berthd", [("ping+version", b_step)]),
            benchlib.Contender("dockerd", [("ping+version", d_step)]),
            iterations=iterations * 20, warmup=20,
            notes="HEAD /_ping + GET /version on one kept-alive Unix-socket connection")
        b_sock.close()
        d_sock.close()
    finally:
        berthd.stop()
        dockerd.stop()


if __name__ == "__main__":
    main()
