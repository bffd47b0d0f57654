# SPDX-License-Identifier: GPL-2.0
# A user's results/ holds the user's runs only: the project's reference data
# live in docs/data, and history and report over a results folder skip what is
# not a run (a noise model, a stress test's output, the store's database)
# without a warning per file.
. "$FB_SRC/tests/e2e/lib.sh"

[ ! -e "$FB_SRC/results/reference" ] || die "results/reference is back: reference data go to docs/data"
[ -d "$FB_SRC/docs/data/verdicts" ] || die "docs/data/verdicts missing"
# every path the docs, README and tools name under docs/data exists (a name
# ending in "{txt,json}" or a recorded .perf.data path is no file name; a
# result file may be kept gzipped)
cd "$FB_SRC"
python3 - <<'PY' || die "a path under docs/data named in the docs does not exist"
import glob, re, os, sys
bad = []
for f in ["README.md"] + glob.glob("docs/*.md") + glob.glob("tests/tools/*") + glob.glob("tests/e2e/*"):
    text = open(f, errors="replace").read()
    base = os.path.dirname(f) if f.startswith("docs/") else ""
    for m in re.finditer(r"(docs/data/[\w./-]+)([{*]?)", text):
        if not m.group(2):
            bad += [(f, m.group(1).rstrip(".)"))]
    if f.startswith("docs/"):
        for m in re.finditer(r"\]\((data/[\w./-]+)\)", text):
            bad += [(f, "docs/" + m.group(1))]
# a result quoted as a command printed it is kept gzipped (NAME.json.gz)
bad = [(f, p) for f, p in bad
       if not os.path.exists(p) and not os.path.exists(p + ".gz") and not p.endswith(".perf.data")]
for f, p in bad:
    print(f"{f}: '{p}' does not exist")
sys.exit(1 if bad else 0)
PY
cd "$FB_TMP"

mkdir -p R/lab R/noise R/stress
fb run pf1 $TINY --cpus 1 --size 4M --label lab --output R/lab/run1.json --store st.db >/dev/null
fb run pf1 $TINY --cpus 1 --size 4M --label lab --output R/lab/run2.json --store st.db >/dev/null
cp "$FB_SRC/docs/data/verdicts/model.json" R/noise/model.json
cp "$FB_SRC"/docs/data/stress/*.json R/stress/
printf 'SQLite format 3\0' >R/faultbench.db
echo '{ broken' >R/stress/half-written.json

fb history R --bench pf1 >h.txt 2>h.err || { cat h.err; die "history failed"; }
grep -q '2 runs under R' h.txt || die "history should find the 2 runs: $(head -1 h.txt)"
[ "$(wc -l <h.err)" -le 1 ] || die "more than one warning line: $(cat h.err)"
! grep -q 'not a faultbench result' h.err || die "a noise model or stress output was warned about"

fb report --history R -o rep >r.txt 2>r.err || { cat r.err; die "report --history failed"; }
[ "$(wc -l <r.err)" -le 1 ] || die "report --history warns per file: $(cat r.err)"
! grep -q 'not a faultbench result' r.err || die "report warned about a file that is not a run"

# report --history takes what history takes: a store selection too
fb history store:label=lab --store st.db --bench pf1 | grep -q '2 runs under store:label=lab' ||
	die "history from the store does not find the 2 runs"
fb report --history store:label=lab --store st.db -o SR >sr.txt 2>&1 || { cat sr.txt; die "report --history store: failed"; }
[ "$(grep -c '<tr><th scope="row">' SR/index.html)" = 2 ] || die "report --history store: does not list the 2 runs"

# a mistyped label or benchmark: "did you mean"
expect_status 2 fb compare R/lbb R/lab
fb compare R/lbb R/lab 2>&1 | grep -q "did you mean 'R/lab'" || die "no 'did you mean' for a mistyped RUN"
mkdir -p results && cp -r R/lab results/6.18-vanilla
fb compare 6.18-vanila 2>&1 | grep -q "did you mean '6.18-vanilla'" || die "no 'did you mean' for a mistyped label"
fb history R --bench pf11 2>&1 | grep -q "did you mean 'pf1'" || die "no 'did you mean' for a mistyped benchmark"
echo ok
