# SPDX-License-Identifier: GPL-2.0
# Completion from a real bash: scripts/faultbench.bash sourced into a bash
# process, _faultbench called with the words and line bash would give it, and
# COMPREPLY read back.  Options before BENCH complete too ("run --back<TAB>").
. "$FB_SRC/tests/e2e/lib.sh"

# complete LINE: what _faultbench offers with the cursor at the end of LINE
complete_line() {
	FB="$FAULTBENCH" LINE="$1" bash --norc --noprofile -c '
		source "$FB_SRC/scripts/faultbench.bash"
		COMP_LINE="$FB ${LINE#faultbench }"
		COMP_POINT=${#COMP_LINE}
		# bash splits words at "=" too (COMP_WORDBREAKS)
		read -ra COMP_WORDS <<<"$(sed "s/=/ = /g" <<<"$COMP_LINE")"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_faultbench
		printf "%s\n" "${COMPREPLY[@]}"'
}
expect() {
	local got
	got=$(complete_line "$1" | tr '\n' ' ')
	case " $got" in *" $2 "*) ;; *) die "'$1<TAB>' offers '$got', not '$2'" ;; esac
	echo "$1<TAB> -> $got"
}
expect "faultbench ru" run
expect "faultbench run p" pf1
expect "faultbench run --back" --backing=
expect "faultbench run --cp" --cpus=
expect "faultbench run pf1 --back" --backing=
expect "faultbench run --cpus 1 p" pf1
expect "faultbench run pf1 --backing=tm" tmpfs
expect "faultbench run --backing=tm" tmpfs
expect "faultbench run --mode t" threads
expect "faultbench compare --vi" --view=
# and bash knows the function for the command
bash --norc --noprofile -c 'source "$FB_SRC/scripts/faultbench.bash"; complete -p faultbench' |
	grep -q '_faultbench' || die "the script does not register _faultbench"
echo ok
