"""`search` through the daemon's GET /images/search against a fake index
on 127.0.0.1 (this machine cannot reach Docker Hub): docker and berth run
the same steps on dockerd and on berthd and must print the same; docker's
output on berthd must also equal its output on dockerd (berthd's route
asks the index as dockerd does: /v1/_ping, then /v1/search?q=&n=)."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from berthd_fixture import Berthd
from cli_compare import berth_binary, run_scenario

RESULTS = [
    {"name": "busybox", "description": "Busybox base image.", "star_count": 3000, "is_official": True,
     "is_automated": False},
    {"name": "someone/busybox-extra", "description": "A long description\nthat goes on past the truncation "
     "point of the table", "star_count": 12, "is_official": False, "is_automated": True},
    {"name": "other/bb", "description": "", "star_count": 0, "is_official": False, "is_automated": False},
]


class FakeIndex:
    """A v1 index on a loopback port serving /v1/_ping and /v1/search."""

    def __init__(self):
        self.requests = []
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                index.requests.append(self.path)
                if self.path.startswith("/v1/_ping"):
                    body = b"true"
                elif self.path.startswith("/v1/search"):
                    n = int(self.path.split("n=")[1].split("&")[0]) if "n=" in self.path else 25
                    body = json.dumps({"num_results": len(RESULTS), "query": "busybox",
                                       "results": RESULTS[:n]}).encode()
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1:%d" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def index():
    fake = FakeIndex()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def berth():
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    return path


@pytest.fixture(scope="module")
def berthd():
    d = Berthd().start()
    yield d
    d.cleanup()


def steps(index):
    term = index.host + "/busybox"
    return [
        (["search", term], None),
        (["search", "--limit", "2", term], None),
        (["search", "--no-trunc", term], None),
        (["search", "-f", "is-official=true", term], None),
        (["search", "--filter", "stars=10", term], None),
        (["search", "--filter", "is-official=false", "--filter", "stars=1", term], None),
        (["search", "--format", "{{.Name}}: {{.StarCount}} {{.IsOfficial}}", term], None),
        (["search", "--format", "{{json .}}", term], None),
        (["search", "--format", "table {{.Name}}\t{{.IsOfficial}}", term], None),
        (["search", "--limit", "101", term], None),
        (["search", "-f", "bogus=1", term], None),
        (["search", "-f", "stars=x", term], None),
        (["search", "127.0.0.1:1/busybox"], None),  # nothing listens there
        (["search"], None),
    ]


def test_search_compare(dockerd, berthd, berth, index):
    by_daemon = {}
    for name, daemon in (("dockerd", dockerd), ("berthd", berthd)):
        want = run_scenario("docker", daemon.host, steps(index))
        got = run_scenario(berth, daemon.host, steps(index))
        for w, g in zip(want, got):
            assert g == w, "berth differs from docker for `%s` on %s" % (w[0], name)
        by_daemon[name] = want
    for d, b in zip(by_daemon["dockerd"], by_daemon["berthd"]):
        assert b == d, "berthd answers `docker %s` differently from dockerd" % d[0]
    assert "/v1/search?q=busybox&n=2" in index.requests
