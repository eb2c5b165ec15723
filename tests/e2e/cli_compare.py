"""Runs one scenario with two CLIs (docker and berth) and normalises the
outputs so that only real differences remain: ids, times, sizes that vary
per run and the program's own name are replaced by placeholders."""

import os
import re
import subprocess

from conftest import build_dir

HEX = re.compile(r"\b(sha256:)?[0-9a-f]{64}\b|\b[0-9a-f]{12}\b")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
GO_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+")
AGO = re.compile(r"(Less than a second|About a minute|About an hour|\d+ (second|minute|hour|day|week|month|year)s?)( ago)?")


def berth_binary():
    return os.path.join(build_dir(), "apps", "berth", "berth")


def normalise(text):
    text = HEX.sub("<id>", text)
    text = RFC3339.sub("<time>", text)
    text = GO_TIME.sub("<time>", text)
    text = AGO.sub("<ago>", text)
    text = re.sub(r"\b(docker|berth)(?=[: '])", "<cli>", text)
    # Column widths follow the (normalised away) ids and times.
    return re.sub(r" {2,}", "  ", text)


def sorted_rows(text):
    """A table with its rows sorted (docker lists an image's tags in Go map order)."""
    lines = text.splitlines()
    return "\n".join(lines[:1] + sorted(lines[1:])) + "\n"


def cli_run(program, host, args, stdin=None, timeout=120):
    env = dict(os.environ, DOCKER_HOST=host)
    env.pop("BERTH_HOST", None)
    proc = subprocess.run([program, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def server_section(text):
    """The daemon's half of `version`/`info` (the client halves differ by design)."""
    part = text[text.index("Server:"):] if "Server:" in text else ""
    # dockerd lists runtimes in Go map order: compare them as a set.
    return re.sub(r"(Runtimes:)(.*)", lambda m: m.group(1) + " " + " ".join(sorted(m.group(2).split())), part)


def run_scenario(program, host, steps):
    """steps: (args, post) pairs; post(stdout) -> comparable text. Returns
    [(args, rc, stdout, stderr)] normalised."""
    results = []
    for args, post in steps:
        rc, out, err = cli_run(program, host, args)
        out = post(out) if post else out
        results.append((" ".join(args), rc, normalise(out), normalise(err)))
    return results


def missing_routes(socket_path, routes):
    """The routes ("GET /containers/{id}/top") a daemon answers with "page not
    found" or 405: probed with a name no object has, so nothing changes."""
    import socket as sock
    missing = []
    for route in routes:
        method, path = route.split(" ", 1)
        path = re.sub(r"\{[a-z]+\}", "berth-probe-none", path)
        s = sock.socket(sock.AF_UNIX, sock.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(socket_path)
            s.sendall(("%s /v1.44%s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n" % (method, path)).encode())
            reply = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        finally:
            s.close()
        status = reply.split(b" ", 2)[1] if reply.count(b" ") >= 2 else b""
        if status == b"405" or (status == b"404" and b"page not found" in reply):
            missing.append(route)
    return missing


_DOCKERD_RESULTS = {}


def record_daemon_diff(test, daemon, results):
    """Keeps docker's results on dockerd; for berthd, writes the steps where
    docker's output differs between the daemons to <build>/daemon-diff.txt."""
    if daemon == "dockerd":
        _DOCKERD_RESULTS[test] = results
        return
    ref = _DOCKERD_RESULTS.get(test)
    if ref is None:
        return
    lines = []
    for r, b in zip(ref, results):
        if r[1:] != b[1:]:  # the args may hold per-daemon temporary paths
            lines.append("== %s: docker %s\n-- dockerd (rc %d)\n%s%s-- berthd (rc %d)\n%s%s" % (
                test, r[0], r[1], r[2], r[3], b[1], b[2], b[3]))
    path = os.path.join(build_dir(), "daemon-diff.txt")
    mode = "a" if os.path.exists(path) and _DAEMON_DIFF_STARTED else "w"
    _DAEMON_DIFF_STARTED.append(True)
    with open(path, mode) as f:
        f.writelines(lines)


_DAEMON_DIFF_STARTED = []
