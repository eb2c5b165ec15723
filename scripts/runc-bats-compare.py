#!/usr/bin/env python3
"""scripts/runc-bats-compare.py RUNC_DIR BERTH_DIR: per-file pass/fail/skip
of two scripts/runc-bats.sh result directories, side by side (Markdown),
then the tests that pass for the first runtime but not the second."""
import os
import re
import sys

LINE = re.compile(r"^(ok|not ok) (\d+) (.*?)( # skip.*)?$")


def load(path):
    tests = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if m:
                status = "skip" if m.group(4) else ("pass" if m.group(1) == "ok" else "fail")
                tests[(int(m.group(2)), m.group(3))] = status
    return tests


def counts(tests):
    return tuple(sum(1 for s in tests.values() if s == k) for k in ("pass", "fail", "skip"))


def main():
    a_dir, b_dir = sys.argv[1], sys.argv[2]
    names = sorted({f[:-4] for d in (a_dir, b_dir) for f in os.listdir(d) if f.endswith(".tap")})
    total_a, total_b, diffs = [0, 0, 0], [0, 0, 0], []
    print("| file | runc pass/fail/skip | berth-runtime pass/fail/skip |")
    print("|---|---|---|")
    for name in names:
        a = load(os.path.join(a_dir, name + ".tap")) if os.path.exists(os.path.join(a_dir, name + ".tap")) else {}
        b = load(os.path.join(b_dir, name + ".tap")) if os.path.exists(os.path.join(b_dir, name + ".tap")) else {}
        ca, cb = counts(a), counts(b)
        total_a = [x + y for x, y in zip(total_a, ca)]
        total_b = [x + y for x, y in zip(total_b, cb)]
        print("| %s | %d/%d/%d | %d/%d/%d |" % ((name,) + ca + cb))
        for key, status in sorted(a.items()):
            if status == "pass" and b.get(key) != "pass":
                diffs.append("%s: %s (berth-runtime: %s)" % (name, key[1], b.get(key, "missing")))
    print("| **total** | %d/%d/%d | %d/%d/%d |" % tuple(total_a + total_b))
    print()
    print("Passing for runc, not for berth-runtime: %d" % len(diffs))
    for d in diffs:
        print("- " + d)


if __name__ == "__main__":
    main()
