"""Self-test of make_order.py's address-to-symbol step (no tracing)."""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_order  # noqa: E402

SYMS = [(0x1000, "_start"), (0x1100, "alias_b"), (0x1100, "alias_a"), (0x1200, "main"), (0x1300, "cold")]


def test_first_run_order_with_aliases_once_each():
    addresses = [0x1210, 0x1000, 0x1104, 0x1220, 0x1008, 0x1108]
    assert make_order.order_of(addresses, SYMS) == ["main", "_start", "alias_a", "alias_b"]


def test_addresses_below_the_first_symbol_are_skipped():
    assert make_order.order_of([0x10, 0x1300], SYMS) == ["cold"]


@pytest.mark.skipif(shutil.which("readelf") is None, reason="no readelf")
def test_text_range_of_a_real_program():
    lo, hi = make_order.text_range(sys.executable)
    assert 0 < lo < hi
