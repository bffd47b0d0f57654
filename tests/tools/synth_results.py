#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Synthetic result documents for the store benchmark (scripts/store-bench.sh).

synth_results.py DIR N [MACHINES]: N result documents of pf1 in the schema of
engine/results.h (2 steps x 3 repeats, 4 metrics with their samples and
summaries), spread over MACHINES machines (default 10), one run an hour per
machine, as DIR/<machine>/<YYYYMMDD>/pf1-<stamp>.json.  The values are
made up (a 5% lognormal noise, a 10% loss half-way): this is a data set to
time the store with, not a measurement.  Deterministic (seeded).
"""
import datetime
import json
import math
import os
import random
import sys


def metric(value, higher_better, rng):
    samples = [value * math.exp(rng.gauss(0, 0.01)) for _ in range(3)]
    mean = sum(samples) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in samples) / 2)
    return {"value": round(value, 4), "higher_better": higher_better,
            "samples": [round(x, 4) for x in samples], "mean": round(mean, 4),
            "hmean": round(3 / sum(1 / x for x in samples), 4), "stddev": round(sd, 6),
            "cov": round(sd / mean, 10), "min": round(min(samples), 4),
            "max": round(max(samples), 4)}


def document(machine, i, when, n_per_machine, rng):
    level = 1.0 if i < n_per_machine // 2 else 0.9
    steps = []
    for rep in range(3):
        for ncpus in (1, 2):
            base = 500000.0 * ncpus * level * math.exp(rng.gauss(0, 0.05))
            steps.append({
                "index": len(steps), "repeat": rep, "variant": "", "ncpus": ncpus,
                "what": "threads", "pus": list(range(ncpus)), "complete": True,
                "counters": ["pages"], "events": [],
                "metrics": {
                    "pages/s": metric(base, True, rng),
                    "faults/s": metric(base, True, rng),
                    "pages/s/cpu": metric(base / ncpus, True, rng),
                    "efficiency": metric(level, True, rng),
                }})
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "schema_version": 1, "faultbench_version": "synthetic",
        "command_line": ["faultbench", "run", "pf1"], "label": "synth-%s" % machine,
        "headline_metric": "pages/s", "table_metrics": [], "samples_are_replicates": False,
        "matrix_options": [], "ratio_metric": None, "bench": "fault", "preset": "pf1",
        "params": {"backing": "anon", "map": "private", "touch": "write", "size": 67108864},
        "run": {"cpus": "1,2", "mode": "threads", "samples": 3, "repeat": 3},
        "system": {"kernel": {"release": "6.18.0-synth", "version": "#1 SMP"},
                   "hostname": machine, "cpu_model": "synthetic", "date": stamp},
        "topology": {}, "start_time": stamp, "end_time": stamp, "complete": True,
        "evidence": {}, "steps": steps}


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    machines = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    rng = random.Random(17)
    per = (n + machines - 1) // machines
    start = datetime.datetime(2025, 1, 1)
    written = 0
    for m in range(machines):
        name = "big%d" % (m + 1)
        for i in range(per):
            if written == n:
                return
            when = start + datetime.timedelta(hours=i)
            d = os.path.join(out, name, when.strftime("%Y%m%d"))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "pf1-%s.json" % when.strftime("%Y%m%d-%H%M%S")), "w") as f:
                json.dump(document(name, i, when, per, rng), f, indent=1)
            written += 1


if __name__ == "__main__":
    main()
