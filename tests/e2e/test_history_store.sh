#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One history builder for files and store alike (analysis/history.c): runs
# imported into an SQLite store give the same history, and the same
# report --history, from the store (--store with the directory, or a
# store: selector) as from the files.
. "$FB_SRC/tests/e2e/lib.sh"

mkdir -p res
cp -r "$FB_SRC/docs/data/verdicts/aa" res/
cp "$FB_SRC/docs/data/verdicts/model.json" model.json
fb store import --store st.db res >/dev/null || die "import into st.db failed"

for b in pf1 pf3 nopage pagelock; do
	fb history res --bench $b --noise model.json >h-$b.files 2>/dev/null ||
		die "history of $b from the files failed"
	fb history res --bench $b --noise model.json --store st.db >h-$b.store 2>/dev/null ||
		die "history of $b from the store failed"
	cmp -s h-$b.files h-$b.store || { diff h-$b.files h-$b.store | head; die "history of $b: the store differs"; }
done
echo "history: the same from the store as from the files"

# a page without its line of when it was written
page() { grep -v 'class="notes">written by' "$1"; }

fb report --history res --noise model.json -o RF >/dev/null 2>&1 || die "report --history of the files failed"
fb report --history res --noise model.json --store st.db -o RS >/dev/null 2>&1 ||
	die "report --history res --store failed"
page RF/index.html >RF.html
page RS/index.html >RS.html
cmp -s RF.html RS.html || { diff RF.html RS.html | head; die "report --history: the store's page differs"; }
[ "$(grep -c '<section class="bench"' RS/index.html)" = 4 ] || die "report --history --store lacks the 4 trends"

# a selector: the same runs, under the paths they were indexed from
fb report --history store:since=2026-01-01 --store st.db --noise model.json -o RQ >/dev/null 2>&1 ||
	die "report --history store: failed"
page RQ/index.html | sed "s|$PWD/||g; s|store:since=2026-01-01|res|" >RQ.html
cmp -s RF.html RQ.html || { diff RF.html RQ.html | head; die "report --history store: differs"; }

# the store alone answers a selector: the files may be gone
mv res gone
fb report --history store:since=2026-01-01 --store st.db --noise model.json -o RG >/dev/null 2>&1 ||
	die "report --history store: needs the files"
page RQ/index.html >RQ1.html
page RG/index.html >RG.html
cmp -s RQ1.html RG.html || die "report --history store: reads the files"
mv gone res

# what the store cannot answer is refused as it is for history
expect_status 2 fb report --history res --store missing.db -o RM
expect_status 2 fb report --history nodir --store st.db -o RM
echo "report --history: the same from the store as from the files"
