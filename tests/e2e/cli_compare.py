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
