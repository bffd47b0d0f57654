#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# faultbench report, rendered by a real browser: tiny real runs of this
# machine, a copy of one whose host name and kernel release carry HTML, the
# report of both and the report of their history, each opened by headless
# Chromium from disk.  The test reads back the DOM Chromium built: the
# tables are there, every figure loaded (report.js marks it on <body>), a
# disturbed run is marked (and only the mark coloured), and
# the HTML in the result stayed text.  The screenshots are kept in
# $FB_REPORT_SHOTS (default: build/e2e/ of the source tree) for a human.
# Without chromium (Debian: apt-get install chromium) the browser part is
# skipped with the reason, after the checks that need no browser.
. "$FB_SRC/tests/e2e/lib.sh"

RUN="pf1 --cpus 1,2 --repeat 2 --size 1M $TINY"
shots=${FB_REPORT_SHOTS:-$FB_SRC/build/e2e}
export HOME=$FB_TMP

fb run $RUN --label 6.18-a -o A/ >/dev/null 2>&1 || die "run A failed"
fb run $RUN --label 6.18-b -o B/ >/dev/null 2>&1 || die "run B failed"
# B's result again, its free text turned into markup: it must stay text
python3 - B/*.json X.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["system"]["hostname"] = "<script>document.title='pwned'</script>"
d["system"]["kernel"]["release"] = "6.18<img src=x onerror=alert(1)>"
d["system"]["cpu_model"] = "\"quoted' & <b>bold</b>"
# and measured disturbed at its first step (engine/results.h's interference keys)
d["steps"][0]["interference"] = {"share_min": 0.62, "wait_max": 0.3, "other_max": 0.35,
                                 "steal_max": 0.01, "samples": 2, "samples_disturbed": 2,
                                 "disturbed": True, "retries": 0}
d["interference"] = {"steps": 1, "steps_disturbed": 1, "disturbed": True, "retries": 0}
json.dump(d, open(sys.argv[2], "w"))
EOF

# usage errors exit 2 and name what is wrong
expect_status 2 fb report
expect_status 2 fb report A -o ""
expect_status 2 fb report A --bench pf1
expect_status 2 fb report --history . A
expect_status 2 fb report nosuch -o R

fb report A X.json -o R >out.txt || { cat out.txt; die "report failed"; }
grep -qx 'R/index.html' out.txt || die "report does not print the path of its index.html"
for f in R/index.html R/report.js R/figures/pf1-throughput.svg R/figures/pf1-efficiency.svg \
	R/figures/pf1-throughput.png R/results/1/*.json R/results/2/X.json; do
	[ -s "$f" ] || die "$f missing or empty"
done
# every figure and every link points at a file of the folder, and nothing elsewhere
grep -o '\(src\|href\)="[^"]*"' R/index.html | sed 's/^[a-z]*="//; s/"$//' | grep -v '^#' |
	while read -r ref; do
		case $ref in
		*:* | /*) die "a reference leaves the folder: $ref" ;;
		esac
		[ -e "R/$ref" ] || die "R/$ref referenced but missing"
	done
grep -q '&lt;script&gt;document.title' R/index.html || die "the host name is not escaped"
grep -q '6.18&lt;img src=x onerror=alert(1)&gt;' R/index.html || die "the kernel is not escaped"
grep -q '&quot;quoted&#39; &amp; &lt;b&gt;bold' R/index.html || die "the CPU model is not escaped"
! grep -q '<script>document\|<img src=x' R/index.html || die "markup from a result reached the page"
grep -q '<tr class="diff"><th scope="row">hostname' R/index.html || die "the differing host name is not marked"
grep -q 'Content-Security-Policy' R/index.html || die "no Content-Security-Policy"
# X's disturbed step: its mean is marked, the legend says what the mark means
grep -q '<span class="dist" title="1 of its runs measured disturbed">' R/index.html ||
	die "the disturbed run's cell is not marked"
grep -q '<p class="notes legend">' R/index.html || die "no legend for the disturbed mark"

# the history of both runs: a trend per benchmark, every run listed
fb report --history . --bench pf1 -o H >hout.txt || { cat hout.txt; die "report --history failed"; }
[ -s H/figures/pf1-trend.svg ] || die "no trend figure"
[ "$(grep -c '<tr><th scope="row">' H/index.html)" -ge 3 ] || die "the history does not list every run"

# --- in a browser --------------------------------------------------------------
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || skip "chromium is not installed (Debian: apt-get install chromium); the report was checked without a browser"
# root needs --no-sandbox; a private profile keeps $HOME out of it
chrome() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$FB_TMP/chrome" --no-first-run --virtual-time-budget=10000 "$@" \
		2>>chrome.log
}
printf '<html><body><p>x</p></body></html>' >probe.html
chrome --dump-dom "file://$PWD/probe.html" >probe.txt || true
grep -q '<p>x</p>' probe.txt || skip "chromium cannot run here: $(grep -v dbus chrome.log | tail -n 1)"

# render: load the page, let report.js run, read back the DOM
render() {
	chrome --dump-dom "file://$PWD/$1/index.html" >"$1.dom" || die "chromium failed on $1"
	local body imgs
	body=$(grep -o '<body[^>]*>' "$1.dom" | head -n 1)
	imgs=$(grep -o '<img ' "$1/index.html" | wc -l)
	echo "$1: $body, $imgs figures"
	case $body in *'data-report-ready="1"'*) ;; *) die "$1: report.js did not run: $body" ;; esac
	case $body in *'data-figures-failed="0"'*) ;; *) die "$1: a figure failed to load: $body" ;; esac
	case $body in *"data-figures-loaded=\"$imgs\""*) ;; *) die "$1: not all $imgs figures loaded: $body" ;; esac
	[ "$imgs" -ge 1 ] || die "$1: no figure"
	mkdir -p "$shots" 2>/dev/null || shots=$PWD
	chrome --window-size=1280,2000 --screenshot="$shots/report-$1.png" \
		"file://$PWD/$1/index.html" >/dev/null || die "no screenshot of $1"
	[ -s "$shots/report-$1.png" ] || die "empty screenshot of $1"
	echo "screenshot: $shots/report-$1.png"
}
render R
grep -q '<table class="cmp">' R.dom || die "no comparison table in the rendered page"
grep -q '<table class="meta">' R.dom || die "no systems table in the rendered page"
[ "$(grep -o '<img ' R.dom | wc -l)" -ge 2 ] || die "the figures are missing from the rendered page"
grep -q '<title>faultbench report' R.dom || die "the page title changed: a script from a result ran"
! grep -q 'pwned' <(grep -o '<title>[^<]*' R.dom) || die "a script from a result ran"
grep -q '<span class="dist" title="1 of its runs measured disturbed">' R.dom ||
	die "the disturbed mark is not in the rendered page"
grep -q '1 of 1 step disturbed; worst share 0.620' R.dom ||
	die "the rendered table of runs does not say which file was disturbed"
render H

# --- what the page looks like: colour only on starred changes, figures wide ----
# A probe script beside the page (the page's CSP allows scripts of its folder)
# reads the style Chromium computed and writes it onto <body>.
cat >probe.js <<'EOF'
window.addEventListener('load', function () {
	var grey = function (c) {
		var m = c.match(/\d+/g).map(Number);
		return m[0] === m[1] && m[1] === m[2];
	};
	var coloured = [], starred = 0, widths = [];
	document.querySelectorAll('table.cmp td').forEach(function (td) {
		var pct = td.querySelector('.pct');
		if (td.querySelector('b')) {
			starred += grey(getComputedStyle(td).color) ? 0 : 1;
			return;
		}
		if (!grey(getComputedStyle(td).color) || (pct && !grey(getComputedStyle(pct).color)))
			coloured.push(td.textContent);
	});
	document.querySelectorAll('figure img').forEach(function (img) {
		widths.push(Math.round(img.getBoundingClientRect().width));
	});
	document.body.setAttribute('data-coloured-unstarred',
		coloured.length + ':' + coloured.slice(0, 3).join('|'));
	document.body.setAttribute('data-starred-coloured', starred);
	document.body.setAttribute('data-figure-widths', widths.join(','));
});
EOF
looks() {
	cp probe.js "$1/"
	sed 's|<script src="report.js"></script>|&<script src="probe.js"></script>|' \
		"$1/index.html" >"$1/probe.html"
	chrome --window-size=1280,2000 --dump-dom "file://$PWD/$1/probe.html" >"$1.probe" ||
		die "chromium failed on $1"
	grep -o '<body[^>]*>' "$1.probe" | head -n 1
}
# an A/B pair of the reference data: 9 runs a side, a star on pf1's Hmean
fb report "$FB_SRC/docs/data/verdicts/ab/ab-01-base" "$FB_SRC/docs/data/verdicts/ab/ab-01-slow" \
	-o S >/dev/null 2>&1 || die "report of the A/B pair failed"
for d in R S; do
	body=$(looks $d)
	echo "$d: $body"
	case $body in *'data-coloured-unstarred="0:'*) ;; *) die "$d: an unstarred change is coloured: $body" ;; esac
	widths=$(echo "$body" | sed -n 's/.*data-figure-widths="\([0-9,]*\)".*/\1/p')
	[ -n "$widths" ] || die "$d: no figure measured: $body"
	for w in ${widths//,/ }; do
		[ "$w" -ge 800 ] || die "$d: a figure is $w px wide in a 1280 px window (want 800 or more)"
	done
done
case $(looks S) in *'data-starred-coloured="0"'*) die "S: the starred change is not coloured" ;; esac
# a spread is a ratio to the baseline's, never a signed change
! grep -q 'CoeffVar</th><th[^>]*>[^<]*</th><td>[^<]*<span class="pct">([-+0-9]' S.probe ||
	die "S: a spread is shown as a signed change"
grep -q 'CoeffVar</th>.*&times;\|CoeffVar</th>.*×' S.probe || die "S: no spread ratio"

# no figure's title or subtitle is cut at the edges of its PNG: the pf3 runs
# of docs/data/wis-parity have the longest parameter list
fb report "$FB_SRC"/docs/data/wis-parity/pf3-ext4-*.json -o W >/dev/null 2>&1 || die "report W failed"
python3 "$FB_SRC/tests/e2e/png_edges.py" R/figures/*.png S/figures/*.png W/figures/*.png ||
	die "a figure's title is cut off"
echo "report e2e: ok"
