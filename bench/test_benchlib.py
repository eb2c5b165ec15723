"""Self-test of the benchmark harness (run by CTest as bench_selftest)."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def test_alternates_and_reports_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(benchlib, "RESULTS", str(tmp_path))
    order = []
    fast = benchlib.Contender("fast", [("step", lambda: (order.append("f"), time.sleep(0.001)))])
    slow = benchlib.Contender("slow", [("step", lambda: (order.append("s"), time.sleep(0.004)))])
    result = benchlib.compare("selftest", fast, slow, iterations=6, warmup=1)
    # After warmup (f, s) the order alternates who goes first.
    assert order[2:6] == ["f", "s", "s", "f"]
    assert result["contenders"]["fast"]["total"]["n"] == 6
    assert 0.05 < result["ratio"] < 0.8
    saved = json.load(open(tmp_path / "selftest.json"))
    assert saved["ratio"] == result["ratio"]


def test_setup_and_teardown_are_untimed(tmp_path, monkeypatch):
    monkeypatch.setattr(benchlib, "RESULTS", str(tmp_path))
    slow_setup = benchlib.Contender("a", [("x", lambda: None)], setup=lambda: time.sleep(0.01))
    plain = benchlib.Contender("b", [("x", lambda: None)])
    result = benchlib.compare("untimed", slow_setup, plain, iterations=3, warmup=0)
    assert result["contenders"]["a"]["total"]["median_ms"] < 5


def test_failing_command_step_raises():
    step = benchlib.sh("false")
    try:
        step()
    except RuntimeError as e:
        assert "false failed" in str(e)
    else:
        raise AssertionError("expected a failure")
