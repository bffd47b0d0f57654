# SPDX-License-Identifier: GPL-2.0
# The man pages and the binary agree: each page's synopsis, in its own order
# (options before the arguments, as git takes them), is accepted by the
# parser; each page lists the options the command's --help lists; EXIT STATUS
# names 130 and 143; compare's page explains stars, Runs and Detect; and
# 'faultbench help run' into a pipe prints the page, not one usage line.
. "$FB_SRC/tests/e2e/lib.sh"

fb run pf1 $TINY --cpus 1 --size 4M --label a -o A/ >/dev/null 2>&1 || die "run A failed"
fb run pf1 $TINY --cpus 1 --size 4M --label b -o B/ >/dev/null 2>&1 || die "run B failed"
printf '[global]\ncpus = 1\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\nprogress = off\n[pf1]\nsize = 4M\n' >s.ini

# the synopsis of a page, one line: "faultbench run [options] BENCH"
synopsis() {
	fb help --man "$1" | sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' | sed '1d;$d' |
		sed 's/^\.B //; s/^\.RI \[ options \]/[options]/; s/^\.I //; s/\\://g' | tr '\n' ' ' |
		sed 's/ *$//'
}
# An invocation in the synopsis' order, from a sample for each word: options
# first, then the arguments.  Exit 2 would be the parser refusing it.
declare -A opts=(
	[run]="$TINY --cpus 1 --size 4M --label c" [compare]="--view=lkp" [check]=""
	[suite]="--dry-run" [history]="--bench pf1" [plot]="-o P" [report]="-o R"
	[store]="--store=st.db" [topo]="--format=text" [noise]="--runs 3 --output m.json"
	[list]="" [help]="")
declare -A args=(
	[BENCH]=pf1 ["RUN..."]="A B" [FILE.ini]=s.ini [DIR]=. [CONFIG.ini]=s.ini
	["import|init|info"]=init ["[COMMAND]"]=run [-]="")
for cmd in "${!opts[@]}"; do
	syn=$(synopsis "$cmd")
	want="faultbench $cmd"
	rest=${syn#"$want"}
	rest=${rest# }
	case $rest in
	"[options]"*) o=${opts[$cmd]}; rest=${rest#"[options]"}; rest=${rest# } ;;
	*) o="" ;;
	esac
	[ -n "$rest" ] || rest=-
	[ "${args[$rest]+set}" ] || die "$cmd: synopsis '$syn': no sample for '$rest'"
	[ "$cmd" = check ] && o="--baseline A --candidate B"
	rc=0
	# shellcheck disable=SC2086 # the samples are lists of words
	fb $cmd $o ${args[$rest]} >"syn-$cmd.out" 2>&1 || rc=$?
	echo "$syn: faultbench $cmd $o ${args[$rest]} -> $rc"
	case $rc in
	0 | 1 | 125) ;;
	*) cat "syn-$cmd.out"; die "'$syn' as the page writes it is refused (exit $rc)" ;;
	esac
	# the page's options are the --help's
	fb help --man "$cmd" | sed -n '/^\.SH OPTIONS/,/^\.SH/p' | sed -n 's/^\.B \\-\\-//p' |
		sed 's/\\-/-/g' | grep -o '^[a-z0-9-]*' | sort -u >"man-$cmd.txt"
	h=$cmd
	[ "$cmd" = run ] && h="run pf1" # run's --help is a benchmark's: its own options and these
	# shellcheck disable=SC2086
	fb $h --help 2>&1 | grep -o '^  --[a-z0-9-]*' | sed 's/^  --//' | sort -u >"help-$cmd.txt"
	[ -z "$(comm -23 "man-$cmd.txt" "help-$cmd.txt")" ] ||
		die "$cmd: options on the page that --help does not list: $(comm -23 "man-$cmd.txt" "help-$cmd.txt")"
	[ "$cmd" = run ] || [ -z "$(comm -13 "man-$cmd.txt" "help-$cmd.txt")" ] ||
		die "$cmd: options --help lists that the page does not: $(comm -13 "man-$cmd.txt" "help-$cmd.txt")"
done
# options on both sides of BENCH
fb run --cpus 1 $TINY pf1 --size 4M --label d -o D/ >/dev/null 2>&1 || die "run [options] BENCH [options] refused"
[ -n "$(ls D/*.json)" ] || die "no result"
fb run --cpus 1 2>&1 | grep -q 'run needs a benchmark' || die "no benchmark: no clear message"

fb help --man run | grep -q '^\.B 130' || die "EXIT STATUS has no 130"
fb help --man run | grep -q '^\.B 143' || die "EXIT STATUS has no 143"
fb run --help | grep -A1 -- '--repeat=N' | grep -q 'unit of replication' &&
	die "--repeat calls itself the unit of replication"
page=$(fb help --man compare)
for w in 'B Runs' 'B Detect' 'A star'; do
	echo "$page" | grep -q "$w" || die "compare's page does not explain '$w'"
done
# help into a pipe: the page (its sections), not the one usage line
fb help run | cat >help-run.txt
grep -q 'EXIT STATUS' help-run.txt || die "'faultbench help run | cat' is not the page: $(head -3 help-run.txt)"
# and where man(1) is not installed: the page as plain text
PATH=/var/empty "$FAULTBENCH" help run >help-plain.txt
grep -q 'EXIT STATUS' help-plain.txt && grep -q -- '--runs=N' help-plain.txt ||
	die "'faultbench help run' without man is not the page: $(head -3 help-plain.txt)"
echo ok
