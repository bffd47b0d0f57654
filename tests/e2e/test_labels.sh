# SPDX-License-Identifier: GPL-2.0
# Two different runs never print identical headers: the same label from two
# machines (lab-3 on big1 and on big2), and two labels sharing a prefix longer
# than a view's column (nightly labels of one kernel), in the mmtests and LKP
# views of compare, in history's label column and in the machine warning.
. "$FB_SRC/tests/e2e/lib.sh"

fb run pf1 $TINY --cpus 1 --size 4M --label lab-3 --output big1/r1.json >/dev/null
python3 - <<'PY'
import json, os
d = json.load(open("big1/r1.json"))
os.makedirs("big2", exist_ok=True)
d["system"]["hostname"] = "big2"
json.dump(d, open("big2/r1.json", "w"))
for day in ("20261201", "20261202"):
    d["label"] = "6.18.44-fc-v1272-" + day
    d["system"]["date"] = "2026-12-%sT03:00:00Z" % day[-2:]
    os.makedirs("nights/" + day, exist_ok=True)
    json.dump(d, open("nights/%s/r.json" % day, "w"))
PY

# the header lines of the first table: the mmtests view's two lines, read as
# one header per column (top and bottom are right-aligned over the column)
mm_headers() {
	python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")
top, bottom = lines[1].split(), lines[2].split()
if len(top) < len(bottom):
    top = [""] * (len(bottom) - len(top)) + top
print("\n".join(t + "|" + b for t, b in zip(top, bottom)))' "$1"
}
distinct() { [ "$(sort "$1" | uniq -d | wc -l)" = 0 ] || die "$2: identical headers: $(cat "$1")"; }

fb compare big1 big2 >mm.txt 2>mm.err
mm_headers mm.txt >h.txt
[ "$(wc -l <h.txt)" = 2 ] || die "expected two headers: $(cat h.txt)"
distinct h.txt "mmtests view, one label on two machines"
grep -q "lab-3@big2 is not that of lab-3@" mm.err || die "the machine warning names one label twice: $(cat mm.err)"

fb compare nights/20261201 nights/20261202 >mm2.txt
mm_headers mm2.txt >h2.txt
distinct h2.txt "mmtests view, labels sharing a prefix"

fb compare --view=lkp big1 big2 2>/dev/null | sed -n 1p | tr -s ' ' '\n' | sed '/^$/d' >lkp.txt
[ "$(wc -l <lkp.txt)" = 2 ] || die "LKP header: $(cat lkp.txt)"
distinct lkp.txt "LKP view, one label on two machines"
fb compare --view=lkp nights/20261201 nights/20261202 >lkp2.out
sed -n 1p lkp2.out | tr -s ' ' '\n' | sed '/^$/d' >lkp2.txt
[ "$(wc -l <lkp2.txt)" = 2 ] || die "LKP header: $(cat lkp2.txt)"
distinct lkp2.txt "LKP view, labels sharing a 17-character prefix"

fb history nights --bench pf1 >hist.txt
grep -q '6.18.44-fc-v1272-20261201 ' hist.txt || die "history cut a label: $(cat hist.txt)"
grep -q '6.18.44-fc-v1272-20261202 ' hist.txt || die "history cut a label: $(cat hist.txt)"
echo ok
