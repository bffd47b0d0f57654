#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The security reproducers of issue 23 against the real binary: no file is
# written through a planted link (run --profile's log, report -o, run
# --label, suite --label), kernbench's --cflags runs no program from a config
# or the command line, CSV cells are no formulas, a PostgreSQL password never
# reaches a message, and control characters from result files and directory
# names never reach the terminal or markdown.  No check depends on timing.
. "$FB_SRC/tests/e2e/lib.sh"

B="--cpus 1 --samples 1 --sample-time 0.05 --warmup 0 --size 4M --progress=off"
export HOME=$FB_TMP
ESC=$'\x1b'

expect_usage() {
	local want=$1 rc=0; shift
	"$@" >out.txt 2>err.txt || rc=$?
	[ "$rc" = 2 ] || { cat err.txt; die "'$*' exited $rc, expected 2"; }
	grep -qF -- "$want" err.txt || { cat err.txt; die "'$*': no '$want' in the message"; }
}
victim() { echo keep >"$FB_TMP/victim"; }
victim_kept() { [ "$(cat "$FB_TMP/victim")" = keep ] || die "the victim was written: $*"; }

# --- S1: run --profile's perf log (and perf.data) through planted links
# perf that fails at once: the log is opened before perf runs, so the
# reproducer does not need perf to be allowed to sample here.
printf '#!/bin/sh\necho "perf: no permission" >&2\nexit 1\n' >fakeperf
chmod +x fakeperf
plant_profile_links() {
	mkdir -p results/L
	for i in $(seq 0 20); do
		stamp=$(date -d "+$i sec" +%Y%m%d-%H%M%S)
		ln -sf "$FB_TMP/victim" "results/L/pf1-$stamp-1cpus.perf.data.log"
		ln -sf "$FB_TMP/victim" "results/L/pf1-$stamp-1cpus.perf.data"
	done
}
victim
plant_profile_links
FB_PERF=$PWD/fakeperf fb run pf1 $B --label L --profile >/dev/null 2>err.txt ||
	die "a run with a failing perf failed: $(cat err.txt)"
victim_kept "run --profile (perf failing)"
ls -d results/L/.fb-perf.* 2>/dev/null && die "perf's private directory was left behind"
# with perf that may sample here: perf.data under a free name, the links untouched
if perf record -e cpu-clock -C 0 -q -o probe.data -- true >/dev/null 2>&1; then
	rm -rf results/L
	plant_profile_links
	fb run pf1 $B --label L --profile -o results/L/p.json >/dev/null 2>err.txt ||
		die "a profiled run failed: $(cat err.txt)"
	victim_kept "run --profile"
	data=$(jget results/L/p.json 'd["steps"][-1]["extra"]["profile"].get("perf_data", "")')
	[ -n "$data" ] && [ -f "$data" ] && [ ! -L "$data" ] ||
		die "perf.data is not a file of its own: '$data'"
fi

# the SQLite store's journal and WAL: SQLite opens them itself, never through a link
victim
ln -s "$FB_TMP/victim" s.db-journal
ln -s "$FB_TMP/victim" s.db-wal
fb store import --store s.db results/L >/dev/null 2>err.txt || die "store import failed: $(cat err.txt)"
victim_kept "store import with a planted journal link"

# --- S2: kernbench's cflags from a config or the command line run nothing
rm -f pwned
printf '[kernbench]\ncpus=1\njobs=1\niterations=1\nfiles=2\nfunctions=1\ncflags = -O2 -wrapper /usr/bin/touch,%s/pwned,--\n' \
	"$FB_TMP" >kb.ini
expect_usage "'-wrapper' is not a flag kernbench passes on" fb suite kb.ini --label k --results r
[ ! -e pwned ] || die "a suite config ran a command through cflags"
K="kernbench --cpus 1 --jobs 1 --iterations 1 --files 2 --functions 1 --progress=off"
for flag in "-fplugin=$FB_TMP/x.so" -B/tmp -o -Wl,-plugin -include -specs=x -fuse-ld=gold; do
	expect_usage "'$flag' is not a flag" fb run $K --cflags "-O2 $flag" -o kb.json
done
expect_usage "has '@'" fb run $K --cflags "-O2 @file" -o kb.json
printf '[kernbench]\ncpus=1\njobs=1\niterations=1\nfiles=2\nfunctions=1\ncc = /usr/bin/touch\n' >kbcc.ini
expect_usage "is not a C compiler's name" fb suite kbcc.ini --label k --results r
expect_usage "is not a C compiler's name" fb run $K --cc sh -o kb.json
[ ! -e kb.json ] || die "a refused kernbench run wrote a result"
# the documented kinds are taken: a real (tiny) build with them
if command -v make >/dev/null && command -v cc >/dev/null; then
	fb run $K --cflags "-O1 -Wall -Wno-unused -march=native -DFB_X=1 -UFB_Y -g -fno-omit-frame-pointer" \
		-o kb.json >/dev/null 2>err.txt || die "documented flags refused: $(cat err.txt)"
fi

# --- S3: planted directory links under report -o DIR, results/LABEL, suite's DIR/LABEL
fb run pf1 $B --cpus 1,2 --label base1 -o base1.json >/dev/null 2>&1
fb run pf1 $B --cpus 1,2 --label cand1 -o cand1.json >/dev/null 2>&1
mkdir -p elsewhere rep/results
ln -s ../elsewhere rep/figures
expect_usage "is a symbolic link" fb report -o rep base1.json cand1.json
[ -z "$(ls elsewhere)" ] || die "report wrote through DIR/figures"
rm rep/figures
ln -s ../../elsewhere rep/results/1
fb report -o rep base1.json cand1.json >/dev/null 2>err.txt || true
[ -z "$(ls elsewhere)" ] || die "report wrote through DIR/results/1"
rm -rf results/X
mkdir -p results
ln -s ../elsewhere results/X
expect_usage "'results/X' is a symbolic link" fb run pf1 $B --label X
[ -z "$(ls elsewhere)" ] || die "run --label wrote through results/X"
mkdir -p r
ln -s ../elsewhere r/k2
printf '[pf1]\ncpus=1\nsize=4M\nsamples=1\nsample-time=0.05\nwarmup=0\n' >one.ini
expect_usage "is a symbolic link" fb suite one.ini --label k2 --results r
[ -z "$(ls elsewhere)" ] || die "suite wrote through DIR/LABEL"

# --- S4: CSV formula injection
python3 - <<'PY'
import json
for src, dst, v in (("base1.json", "fb.json", "=cmd|' /C calc'!A0"), ("cand1.json", "fc.json", "=cmd|' /C calc'!A0"),
                    ("base1.json", "eb.json", "v\x1b]0;TITLE\x07\x1b[2J"), ("cand1.json", "ec.json", "v\x1b]0;TITLE\x07\x1b[2J")):
    d = json.load(open(src))
    for s in d["steps"]:
        s["variant"] = v
    json.dump(d, open(dst, "w"))
PY
fb compare --format csv fb.json fc.json >c.csv
grep -q "^pf1,fault,pages/s,\"'=cmd|' /C calc'!A0\"," c.csv || die "a formula cell unquoted: $(sed -n 2p c.csv)"
grep -q ",=cmd" c.csv && die "a raw formula cell: $(grep ',=cmd' c.csv | head -1)"

# --- S5: PostgreSQL passwords, URL schemes
fb run pf1 $B --label P --store 'postgresql://u:s3cr3t@localhost:1/x' >/dev/null 2>err.txt || true
grep -q s3cr3t err.txt && die "a password in a message: $(cat err.txt)"
grep -q 'u:\*\*\*@localhost' err.txt || die "no masked store in the warning: $(cat err.txt)"
for t in 'postgresql://u@localhost:1/x?password=s3cr3t' 'postgresql://u@localhost:1/x?sslmode=disable&password=s3cr3t' \
	'postgresql://u:s3%zzcr3t@localhost:1/x'; do
	fb store info --store "$t" >/dev/null 2>err.txt && die "store info on a closed port succeeded"
	grep -q s3 err.txt && die "a password in a message: $(cat err.txt)"
done
expect_usage "URL of a kind faultbench cannot use" fb store import --store 'mysql://u:s3cr3t@db/fb' results/L
grep -q s3cr3t err.txt && die "a password in a message: $(cat err.txt)"
fb store import --store 'POSTGRESQL://u:s3cr3t@localhost:1/fb' results/L >/dev/null 2>err.txt &&
	die "an unreachable PostgreSQL store was imported into"
grep -q s3cr3t err.txt && die "a password in a message: $(cat err.txt)"
fb suite one.ini --label k3 --results r --dry-run --store 'postgresql://u:s3cr3t@localhost:1/x?password=s3cr3t' \
	>dry.txt 2>&1 || die "suite --dry-run failed: $(cat dry.txt)"
grep -q s3cr3t dry.txt && die "suite --dry-run printed a password: $(cat dry.txt)"
[ -z "$(ls -d POSTGRESQL* mysql* 2>/dev/null)" ] || die "a URL became an SQLite file: $(ls -d POSTGRESQL* mysql*)"

# --- S6: control characters from result files and directory names
for fmt in text markdown csv; do
	fb compare --format $fmt eb.json ec.json >cmp.txt 2>&1 || true
	grep -q "$ESC" cmp.txt && die "compare --format $fmt printed a raw escape"
	grep -qF 'x1b' cmp.txt || die "compare --format $fmt: the variant not shown escaped"
done
fb compare --format markdown eb.json ec.json | grep '^Note: ' >note.txt || true
[ -s note.txt ] || die "no markdown Note: line"
grep -q "$ESC" note.txt && die "markdown's Note: line printed a raw escape"
fb check eb.json ec.json >chk.txt 2>&1 || true
grep -q "$ESC" chk.txt && die "check printed a raw escape"
d="h/d${ESC}[2J"
mkdir -p "$d"
cp eb.json "$d/"
fb history h --bench pf1 >hist.txt 2>&1 || true
grep -q "$ESC" hist.txt && die "history printed a raw escape"
grep -qF 'v\x1b]0;TITLE' hist.txt || die "history: the variant not shown escaped: $(head -2 hist.txt)"
fb compare "$d/nonexistent.json" >/dev/null 2>err.txt || true
grep -q "$ESC" err.txt && die "an error message printed a raw escape"
grep -qF 'd\x1b[2J' err.txt || die "the directory not shown escaped: $(cat err.txt)"
echo ok
