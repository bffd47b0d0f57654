#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Do faultbench's verdicts survive a second run?  (docs/compare.md)

  verdicts.py collect DIR [--pairs 10]   separate quick-suite runs: per round
        one A/A pair (aa/aa-NN-a, aa/aa-NN-b) with a noise-model run between
        them (noise/run-NN), then A/B pairs of pf1 at 1 CPU, 3 runs a side,
        interleaved (--ab-runs, default 4), the candidate with a real per-fault
        cost: FB_TEST_FAULT_COST_NS=--cost-ns (default 170, about a tenth of
        a pf1 fault's CPU time on the development VM) burnt by every worker on
        every page it touches.  (A cgroup CPU quota, used before, slows the
        wall clock but leaves the CPU time of a fault as it was.)
  verdicts.py collect DIR --hog --aa-only   the same A/A pairs and model runs
        with a CPU hog (one busy loop per CPU, in a session of its own, as
        another user's work would be) during half of the runs: the a run of
        odd pairs, the b run of even ones, the model runs of odd rounds;
        DIR/hog.txt lists them.  Needs no root.
  verdicts.py history DIR [--old BINARY]   the 30 quick-suite runs of one
        build (aa/ and noise/) as a nightly series, and a copy with a 15% loss
        injected from the 21st run on (every value of every step scaled):
        the nights history flags in each, per benchmark.
  verdicts.py analyse DIR [--old BINARY]   the model from noise/, then per
        A/A pair the stars of compare and the exit status of check, and per
        A/B pair with 1 to 4 runs a side whether check and compare found
        the slowdown.  --old: the same pairs through another faultbench (the
        verdicts before runs were the replicate), for the before/after table.

Benchmarks report, tests assert: this is a measurement, run by hand; its
output and result files go into docs/ and docs/data/.
"""
import argparse
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FB = os.environ.get("FAULTBENCH", os.path.join(HERE, "..", "..", "build", "faultbench"))
QUICK = os.path.join(HERE, "..", "..", "configs", "quick.ini")
AB_OPTS = ["pf1", "--cpus", "1", "--repeat", "3", "--samples", "3", "--sample-time", "0.2",
           "--warmup", "0.2", "--progress=off"]


def load_json(path):
    """A result file, .json or .json.gz (the stored references are gzipped)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rt") as f:
        return json.load(f)


def results_in(d):
    return sorted(glob.glob(os.path.join(d, "*.json")) + glob.glob(os.path.join(d, "*.json.gz")))


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def run_own_session(cmd):
    """A measured run in a session of its own: under autogroup scheduling
    (/proc/sys/kernel/sched_autogroup_enabled) a session is one group, and a
    run started from a shell whose group was niced (/proc/self/autogroup)
    would lose to any other session's work, not share with it."""
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True)


class Hog:
    """One busy loop per CPU in a session of its own, for the runs it wraps."""

    def __enter__(self):
        self.procs = [subprocess.Popen(["sh", "-c", "while :; do :; done"], start_new_session=True)
                      for _ in range(os.cpu_count() or 1)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
            p.wait()


def hogged(what, i):
    """Half of the runs: a of odd pairs, b of even ones, model runs of odd rounds."""
    return {"a": i % 2 == 1, "b": i % 2 == 0, "n": i % 2 == 1}[what]


def collect(d, pairs, ab_runs, ab_only=False, hog=False, aa_only=False, cost_ns=170):
    os.makedirs(d, exist_ok=True)
    for i in range(1, 0 if ab_only else pairs + 1):
        for what, res, label in (("a", "aa", "aa-%02d-a"), ("n", "noise", "run-%02d"),
                                 ("b", "aa", "aa-%02d-b")):
            cmd = [FB, "suite", QUICK, "--label", label % i, "--results", os.path.join(d, res)]
            if hog and hogged(what, i):
                with open(os.path.join(d, "hog.txt"), "a") as f:
                    f.write("%s/%s\n" % (res, label % i))
                with Hog():
                    run_own_session(cmd)
            else:
                run_own_session(cmd)
    if aa_only:
        return
    slow_env = dict(os.environ, FB_TEST_FAULT_COST_NS=str(cost_ns))
    for p in range(1, pairs + 1):
        for k in range(1, ab_runs + 1):
            for side in ("base", "slow"):
                out = os.path.join(d, "ab", "ab-%02d-%s" % (p, side), "pf1-run%d.json" % k)
                cmd = [FB, "run"] + AB_OPTS + ["--label", "ab-%02d-%s" % (p, side), "-o", out]
                run(cmd, env=slow_env if side == "slow" else None)


def compare_json(fb, runs, model, extra=()):
    args = [fb, "compare", "--format", "json", "--primary"] + list(extra)
    if model:
        args += ["--noise", model]
    r = run(args + runs)
    if r.returncode:
        sys.exit("compare failed: %s" % r.stderr)
    return json.loads(r.stdout)


def stars(table):
    rows = starred = 0
    for g in table["groups"]:
        for row in g["rows"]:
            rows += 1
            starred += bool(row["cells"][1].get("significant"))
    return rows, starred


def check(fb, base, cand, model):
    args = [fb, "check"]
    for b in base:
        args += ["--baseline", b]
    for c in cand:
        args += ["--candidate", c]
    if model:
        args += ["--noise", model]
    r = run(args)
    return r.returncode, r.stdout


def subset(files, k, tmp, name):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    for f in files[:k]:
        shutil.copy(f, d)
    return d


def analyse(d, old, model=None):
    print("%s, reading %s" % (run([FB, "--version"]).stdout.strip(), d))
    model = model or os.path.join(d, "model.json")
    if not os.path.isdir(os.path.join(d, "noise")) and not os.path.exists(model):
        sys.exit("verdicts: no model %s and no %s/noise to derive one from" % (model, d))
    if not os.path.exists(model):
        noise = sorted(glob.glob(os.path.join(d, "noise", "run-*")))
        args = [FB, "noise", "-o", model]
        for n in noise:
            args += ["--from", n]
        r = run(args)
        print(r.stdout, r.stderr, end="")
    if os.path.isdir(os.path.join(d, "aa")):
        analyse_aa(d, old, model)
        analyse_aa3(d)
    if os.path.isdir(os.path.join(d, "ab")):
        analyse_ab(d, model)


def disturbed(rundir):
    """'yes', 'no' or '?' (no interference keys): any step of any result disturbed."""
    seen = False
    for f in results_in(rundir):
        doc = load_json(f)
        for st in doc.get("steps", []):
            i = st.get("interference")
            if isinstance(i, dict):
                seen = True
                if i.get("disturbed"):
                    return "yes"
    return "no" if seen else "?"


def hog_runs(d):
    p = os.path.join(d, "hog.txt")
    return set(open(p).read().split()) if os.path.exists(p) else set()


def analyse_aa3(d):
    """3 runs a side, no model: pairs 1-3, 4-6, 7-9 a sides against their b sides."""
    pairs = sorted({p[:-2] for p in os.listdir(os.path.join(d, "aa")) if p.startswith("aa-")})
    print("\nA/A, 3 runs a side, no model (the a runs of three pairs against their b runs):")
    tot = [0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for g in range(len(pairs) // 3):
            trio = pairs[3 * g:3 * g + 3]
            sides = []
            for side in ("a", "b"):
                sd = os.path.join(tmp, "g%d-%s" % (g, side))
                os.makedirs(sd, exist_ok=True)
                for p in trio:
                    # one RUN directory holding three runs: file names kept apart
                    for f in results_in(os.path.join(d, "aa", "%s-%s" % (p, side))):
                        shutil.copy(f, os.path.join(sd, p + "-" + os.path.basename(f)))
                sides.append(sd)
            rows, st = stars(compare_json(FB, sides, "none"))
            rc, _ = check(FB, [sides[0]], [sides[1]], "none")
            print("  %-22s rows %3d stars %2d check %d" % ("+".join(trio), rows, st, rc))
            tot[0] += rows
            tot[1] += st
            tot[2] += rc == 1
            tot[3] += 1
    print("  A/A 3 a side: %d of %d headline rows starred; check said 'regression' in %d of %d"
          % (tot[1], tot[0], tot[2], tot[3]))


def analyse_aa(d, old, model):
    # directories only: a suite also leaves its store index (faultbench.db) there
    pairs = sorted({p[:-2] for p in os.listdir(os.path.join(d, "aa")) if p.startswith("aa-")})
    print("\nA/A pairs (one quick-suite run a side, the noise model of %s):" % model)
    hogs = hog_runs(d)
    print("  %-8s %6s %6s %6s %10s  %s" % ("pair", "rows", "stars", "check", "old stars",
                                          "hog a/b, disturbed a/b, compare's disturbed runs"))
    tot = [0, 0, 0, 0, 0]
    for p in pairs:
        a, b = os.path.join(d, "aa", p + "-a"), os.path.join(d, "aa", p + "-b")
        table = compare_json(FB, [a, b], model)
        rows, st = stars(table)
        rc, _ = check(FB, [a], [b], model)
        # per column: rows where compare counted a disturbed run
        shown = ["%d" % sum(bool(row["cells"][c].get("disturbed_runs"))
                            for g in table["groups"] for row in g["rows"]) for c in (0, 1)]
        dist = "%s/%s %s/%s %s" % ("aa/" + p + "-a" in hogs and "H" or "-",
                                   "aa/" + p + "-b" in hogs and "H" or "-",
                                   disturbed(a), disturbed(b), "/".join(shown) + " rows")
        ost = "-"
        if old:
            orows, ostars = stars(compare_json(old, [a, b], None))
            orc, _ = check(old, [a], [b], None)
            ost = "%d (check %d)" % (ostars, orc)
            tot[3] += ostars
            tot[4] += orc == 1
        print("  %-8s %6d %6d %6d %10s  %s" % (p, rows, st, rc, ost, dist))
        tot[0] += rows
        tot[1] += st
        tot[2] += rc == 1
    print("  A/A: %d of %d headline rows starred (%.1f%%); check said 'regression' in %d of %d "
          "pairs" % (tot[1], tot[0], 100.0 * tot[1] / max(tot[0], 1), tot[2], len(pairs)))
    if old:
        print("  before (%s): %d of %d rows starred, check 'regression' in %d of %d pairs"
              % (run([old, "--version"]).stdout.strip(), tot[3], tot[0], tot[4], len(pairs)))


def ab_pair(d, p, k, model, tmp):
    """compare's cell and check's exit status for pair p with its first k runs a side."""
    base = results_in(os.path.join(d, "ab", p + "-base"))
    slow = results_in(os.path.join(d, "ab", p + "-slow"))
    bd = subset(base, k, tmp, "%s-base-%d" % (p, k))
    sd = subset(slow, k, tmp, "%s-slow-%d" % (p, k))
    t = compare_json(FB, [bd, sd], model, ["--detect", "10%"])
    cell = t["groups"][0]["rows"][0]["cells"][1]
    rc, _ = check(FB, [bd], [sd], model)
    return cell, rc, min(len(base), len(slow))


def analyse_ab(d, model):
    abs_ = sorted({p.rsplit("-", 1)[0] for p in os.listdir(os.path.join(d, "ab")) if p.startswith("ab-")})
    avail = len(results_in(os.path.join(d, "ab", abs_[0] + "-base")))
    slow = load_json(results_in(os.path.join(d, "ab", abs_[0] + "-slow"))[0])
    cost = slow["steps"][0].get("extra", {}).get("test_fault_cost_ns")
    print("\nA/B pairs (pf1 at 1 CPU, candidate with FB_TEST_FAULT_COST_NS=%s), model %s:"
          % (cost, model))
    with tempfile.TemporaryDirectory() as tmp:
        asked_first = {}
        for k in range(1, avail + 1):
            found = starred = 0
            asked = []
            for p in abs_:
                cell, rc, _ = ab_pair(d, p, k, model, tmp)
                starred += bool(cell.get("significant"))
                found += rc == 1
                if k == 1:
                    asked_first[p] = cell.get("runs_needed")
                asked.append("%s/%s" % (cell.get("runs_needed"),
                                        "%.1f" % cell["run_change_pct"]
                                        if cell.get("run_change_pct") is not None else "-"))
            print("  %d run(s) a side: check found it in %d of %d pairs, compare starred %d; "
                  "runs a side compare asks for a 10%% change / change seen: %s"
                  % (k, found, len(abs_), starred, " ".join(asked)))
        # the protocol a user follows: look at one run a side, run what compare asks for
        found = starred = 0
        used = []
        for p in abs_:
            k = min(asked_first[p] or avail, avail)
            cell, rc, _ = ab_pair(d, p, k, model, tmp)
            starred += bool(cell.get("significant"))
            found += rc == 1
            used.append("%s" % k if k == asked_first[p] else "%d (asked %s)" % (k, asked_first[p]))
        print("  with the runs compare asked for after one run a side (%s): check found it in "
              "%d of %d pairs, compare starred %d" % (" ".join(used), found, len(abs_), starred))


def scale_doc(path, out, factor):
    d = load_json(path)
    for st in d["steps"]:
        for name, m in st["metrics"].items():
            if not m.get("higher_better") or "/1000" in name or name in ("efficiency", "pages/fault"):
                continue
            for k in ("value", "mean", "hmean", "min", "max", "stddev"):
                if isinstance(m.get(k), (int, float)):
                    m[k] *= factor
            m["samples"] = [v * factor for v in m.get("samples", [])]
    json.dump(d, open(out, "w"))


def flagged(fb, series, bench, extra=()):
    r = run([fb, "history", series, "--bench", bench] + list(extra))
    marks = [l for l in r.stdout.splitlines() if l[:2] == "20" and (
             l.endswith("regression") or l.endswith("improvement") or l.endswith("outlier"))]
    return r.stdout, marks


def history(d, old):
    print("%s, reading %s" % (run([FB, "--version"]).stdout.strip(), d))
    runs = sorted(glob.glob(os.path.join(d, "aa", "aa-*")) + glob.glob(os.path.join(d, "noise", "run-*")),
                  key=lambda p: load_json(results_in(p)[0])["start_time"])
    with tempfile.TemporaryDirectory() as tmp:
        same, loss = os.path.join(tmp, "same"), os.path.join(tmp, "loss")
        for i, r in enumerate(runs):
            for f in results_in(r):
                name = os.path.basename(f).replace(".json.gz", ".json")
                for dst, factor in ((same, 1.0), (loss, 0.85 if i >= 20 else 1.0)):
                    os.makedirs(os.path.join(dst, "%02d" % i), exist_ok=True)
                    scale_doc(f, os.path.join(dst, "%02d" % i, name), factor)
        print("history over %d quick-suite runs of one build (%s .. %s); a 15%% loss "
              "injected from run 21 on in the copy" % (len(runs), os.path.basename(runs[0]),
                                                        os.path.basename(runs[-1])))
        for bench in ("pf1", "nopage", "pf3", "pagelock"):
            for label, fb, extra in (("now", FB, ["--noise", os.path.join(d, "model.json")]),
                                     ("before", old, [])):
                if not fb:
                    continue
                out_s, m_s = flagged(fb, same, bench, extra)
                out_l, m_l = flagged(fb, loss, bench, extra)
                print("  %-9s %-6s same build: %2d nights flagged; with the loss: %2d (%s)"
                      % (bench, label, len(m_s), len(m_l),
                         ", ".join(l.split()[1] + ":" + l.split()[-1] for l in m_l)))
                if label == "now" and bench == "pf1":
                    print("\n".join("    | " + l for l in out_l.splitlines()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("collect", "analyse", "history"))
    ap.add_argument("dir")
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--ab-runs", type=int, default=4, help="A/B runs a side and pair")
    ap.add_argument("--ab-only", action="store_true", help="collect only the A/B pairs")
    ap.add_argument("--model", help="analyse: this noise model instead of one from DIR/noise")
    ap.add_argument("--old", help="another faultbench binary, for before/after")
    ap.add_argument("--hog", action="store_true", help="collect: a CPU hog during half the runs")
    ap.add_argument("--aa-only", action="store_true", help="collect only the A/A pairs and model")
    ap.add_argument("--cost-ns", type=int, default=170,
                    help="collect: the candidate's FB_TEST_FAULT_COST_NS (ns per page touched)")
    o = ap.parse_args()
    if o.what == "collect":
        collect(o.dir, o.pairs, o.ab_runs, o.ab_only, o.hog, o.aa_only, o.cost_ns)
    elif o.what == "history":
        history(o.dir, o.old)
    else:
        analyse(o.dir, o.old, o.model)


if __name__ == "__main__":
    main()
