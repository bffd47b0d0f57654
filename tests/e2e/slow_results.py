#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A slowed-down run for tests of verdicts: slow_results.py FACTOR [--label L] FILE...

Divides every pages/s figure (value, summaries and per-sample values) of each
result file by FACTOR, in place, and marks the file so that it is never
divided twice.  Tests make their "slower kernel" this way from real runs:
slowing a real run with busy loops slows it by however loaded the machine is,
and a loaded machine slows the baseline runs too, so such a test would
depend on machine speed.
"""
import json
import sys


def slow(path, factor, label):
    d = json.load(open(path))
    if d.get("test_slowed"):
        return
    d["test_slowed"] = factor
    if label:
        d["label"] = label
    for step in d["steps"]:
        m = step["metrics"]["pages/s"]
        for k in ("value", "mean", "hmean", "min", "max", "stddev"):
            if isinstance(m.get(k), (int, float)):
                m[k] /= factor
        m["samples"] = [v / factor for v in m["samples"]]
    json.dump(d, open(path, "w"))


args = sys.argv[1:]
factor = float(args.pop(0))
label = None
if args and args[0] == "--label":
    args.pop(0)
    label = args.pop(0)
for f in args:
    slow(f, factor, label)
