#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Calibrate the interference bounds (engine/interference.c, docs/compare.md
# "Interference"): ROUNDS rounds of pf1 and nopage at 1 and 2 CPUs, each once
# as it is and once with a busy loop pinned to CPU HOG_CPU that this script
# starts and kills itself (by its pid).  Writes the result files, a log of
# the load (uptime) around each run and a summary into OUT.
#
#   tests/tools/interference-calibrate.sh [OUT] [ROUNDS]
#
# SUMMARY_ONLY=1 summarises the result files in OUT (and OUT/*/) again.
#
# A benchmark command, run by hand: the machine's load is part of the figures.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
fb=${FAULTBENCH:-$here/build/faultbench}
out=${1:-$here/docs/data/interference}
rounds=${2:-2}
hog_cpu=${HOG_CPU:-0}
opts=${CAL_OPTS:---cpus 1,2 --samples 10 --sample-time 0.5 --warmup 1 --progress=off}
hog=
cleanup() { [ -z "$hog" ] || kill "$hog" 2>/dev/null || true; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

mkdir -p "$out"
[ -n "${SUMMARY_ONLY:-}" ] && rounds=0
log=$out/runs.log
[ "$rounds" = 0 ] || {
	echo "# $(date -u +%FT%TZ) host $(uname -n) kernel $(uname -r), $(nproc) CPUs"
	echo "# faultbench $("$fb" --version 2>/dev/null | head -n1)"
	echo "# options: $opts; hog: taskset -c $hog_cpu sh -c 'while :; do :; done'"
} >>"$log"
for r in $(seq 1 "$rounds"); do
	for bench in pf1 nopage; do
		for cond in none hog; do
			if [ "$cond" = hog ]; then
				taskset -c "$hog_cpu" sh -c 'while :; do :; done' &
				hog=$!
			fi
			name=$bench-$cond-$r
			echo "$(date -u +%T) start $name: $(uptime)" >>"$log"
			# shellcheck disable=SC2086 # options are words
			"$fb" run "$bench" $opts --label "$name" -o "$out/$name.json" \
				>"$out/$name.txt" 2>&1 || echo "$name failed: $?" >>"$log"
			echo "$(date -u +%T) end   $name: $(uptime)" >>"$log"
			if [ -n "$hog" ]; then
				kill "$hog"
				wait "$hog" 2>/dev/null || true
				hog=
			fi
		done
	done
done

# Per condition and step: samples, share and wait quantiles, other/steal
# maxima, how many samples the rule marks, the headline rate and the
# reading's cost.
python3 - "$out" >"$out/summary.txt" <<'PY'
import glob, json, os, statistics as st, sys
rows = {}
explained = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json")) +
                glob.glob(os.path.join(sys.argv[1], "*", "*.json"))):
    d = json.load(open(f))
    bench, cond = d["label"].split("-")[:2]
    head = d["headline_metric"]
    for s in d["steps"]:
        key = (bench, cond, s["ncpus"])
        r = rows.setdefault(key, {"share": [], "wait": [], "other": [], "steal": [], "psi": [],
                                  "dist": 0, "n": 0, "rate": [], "read": [], "files": 0})
        r["files"] += 1
        r["rate"].append(s["metrics"][head]["value"])
        # how much of the spread between samples the workers' CPU share explains
        v = s["metrics"][head]["samples"]
        sh = [sum(x for x in smp["interference"]["share"] if x) for smp in s["samples"]]
        per_cpu = [a / b for a, b in zip(v, sh) if a and b > 0.01]
        if len(per_cpu) > 2 and len(v) > 2:
            explained.append((os.path.relpath(f, sys.argv[1]), s["ncpus"],
                              st.pstdev(v) / st.mean(v), st.pstdev(per_cpu) / st.mean(per_cpu),
                              st.mean(sh) / s["ncpus"]))
        for smp in s["samples"]:
            i = smp.get("interference")
            if not i:
                continue
            r["n"] += 1
            r["dist"] += i["disturbed"]
            r["share"] += [x for x in i["share"] if x is not None]
            r["wait"] += [x for x in i["wait"] if x is not None]
            r["other"] += [x for x in i["other"] if x is not None]
            r["steal"] += [x for x in i["steal"] if x is not None]
            if i["psi_some"] is not None:
                r["psi"].append(i["psi_some"])
            if i.get("read_s") is not None:
                r["read"].append(i["read_s"])

def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")

print("%-7s %-4s %4s %4s %5s | %-17s | %-17s | %6s %6s %5s | %-6s | %s" % (
    "bench", "hog", "cpus", "runs", "smpl", "share min/p10/med", "wait med/p90/max",
    "othmax", "stlmax", "psi", "marked", "rate per run (headline) ; read us med/max"))
for (bench, cond, n), r in sorted(rows.items()):
    print("%-7s %-4s %4d %4d %5d | %.3f %.3f %.3f | %.3f %.3f %.3f | %6.3f %6.3f %5.2f | %3d/%-3d| %s ; %.0f/%.0f" % (
        bench, cond, n, r["files"], r["n"], min(r["share"]), q(r["share"], .1),
        st.median(r["share"]), st.median(r["wait"]), q(r["wait"], .9), max(r["wait"]),
        max(r["other"]), max(r["steal"]), st.median(r["psi"]) if r["psi"] else float("nan"),
        r["dist"], r["n"], " ".join("%.0f" % x for x in r["rate"]),
        1e6 * st.median(r["read"]), 1e6 * max(r["read"])))
print()
print("CoV of the headline rate between samples, and of the rate per CPU-second of the workers")
print("(rate / sum of shares; samples where the workers had under 1% left out):")
print("%-26s %4s %9s %14s %11s" % ("file", "cpus", "rate cov", "per-CPU-s cov", "share mean"))
for f, n, a, b, m in explained:
    print("%-26s %4d %8.1f%% %13.1f%% %11.3f" % (f, n, 100 * a, 100 * b, m))
PY
cat "$out/summary.txt"
