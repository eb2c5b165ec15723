"""Benchmark harness: time berth and the incumbent alternately in one run.

A benchmark describes each contender as a list of named steps (for
example create, start, delete), plus optional untimed setup and teardown
around every iteration. The harness runs the contenders in alternating
order (rotating who goes first, so neither always gets the warm cache),
records every step's wall time, and reports medians, p90 and the ratio
berth/incumbent of the median totals. Results go to stdout as a table and
to bench/results/<name>.json. Benchmarks never assert: they measure.
"""

import json
import os
import platform
import statistics
import subprocess
import time

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


class Contender:
    def __init__(self, name, steps, setup=None, teardown=None):
        self.name = name
        self.steps = steps            # [(phase, callable)], each timed
        self.setup = setup            # callable() before each iteration, untimed
        self.teardown = teardown      # callable() after each iteration, untimed
        self.samples = {phase: [] for phase, _ in steps}
        self.samples["total"] = []

    def run_once(self):
        if self.setup:
            self.setup()
        total = 0.0
        try:
            for phase, step in self.steps:
                start = time.perf_counter()
                step()
                elapsed = time.perf_counter() - start
                self.samples[phase].append(elapsed)
                total += elapsed
        finally:
            if self.teardown:
                self.teardown()
        self.samples["total"].append(total)


def sh(*cmd, **kw):
    """A step that runs a command and fails loudly if it fails."""
    def step():
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
        if proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                       proc.stderr.decode(errors="replace")))
    return step


def summarize(samples):
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_ms": statistics.median(ordered) * 1e3, "p90_ms": p90 * 1e3,
            "min_ms": ordered[0] * 1e3, "n": len(ordered)}


def compare(name, berth, incumbent, iterations=30, warmup=3, target_ratio=None, notes=""):
    """Runs both contenders alternately; prints and saves the comparison."""
    contenders = [berth, incumbent]
    for _ in range(warmup):
        for c in contenders:
            c.run_once()
    for c in contenders:
        c.samples = {k: [] for k in c.samples}
    for i in range(iterations):
        order = contenders if i % 2 == 0 else contenders[::-1]
        for c in order:
            c.run_once()
    result = {
        "benchmark": name,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"kernel": platform.release(), "cpus": os.cpu_count()},
        "iterations": iterations,
        "notes": notes,
        "contenders": {c.name: {phase: summarize(s) for phase, s in c.samples.items() if s}
                       for c in contenders},
    }
    b = result["contenders"][berth.name]["total"]["median_ms"]
    r = result["contenders"][incumbent.name]["total"]["median_ms"]
    result["ratio"] = b / r if r else None
    result["target_ratio"] = target_ratio
    report(result, berth.name, incumbent.name)
    save(name, result)
    return result


def report(result, berth_name, incumbent_name):
    print("benchmark: %s (%d iterations, alternating)" % (result["benchmark"],
                                                          result["iterations"]))
    phases = list(result["contenders"][berth_name].keys())
    print("  %-10s %14s %14s %8s" % ("phase", berth_name, incumbent_name, "ratio"))
    for phase in phases:
        b = result["contenders"][berth_name][phase]["median_ms"]
        i = result["contenders"][incumbent_name].get(phase, {}).get("median_ms")
        ratio = "%.3f" % (b / i) if i else "-"
        inc = "%11.2f ms" % i if i is not None else "%14s" % "-"
        print("  %-10s %11.2f ms %s %8s" % (phase, b, inc, ratio))
    target = result["target_ratio"]
    verdict = ""
    if target is not None and result["ratio"] is not None:
        verdict = " (target <= %.2f: %s)" % (target, "met" if result["ratio"] <= target
                                              else "NOT met")
    print("  ratio berth/incumbent (median total): %.3f%s" % (result["ratio"], verdict))


def save(name, result):
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name + ".json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print("  wrote " + os.path.relpath(path))
