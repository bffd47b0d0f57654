# SPDX-License-Identifier: GPL-2.0
# bash completion for faultbench: the binary answers from its own tables
# (faultbench --complete WORD...), so subcommands, benchmarks, options and
# their choices never drift from what it accepts.  Installed by make install
# into share/bash-completion/completions/faultbench.
_faultbench()
{
	local cur=${COMP_WORDS[COMP_CWORD]} line words=() reply IFS
	# Re-split the line up to the cursor on blanks only: bash splits
	# --backing=tmpfs at '=', faultbench wants the option whole.
	line=${COMP_LINE:0:COMP_POINT}
	read -ra words <<<"$line"
	[[ $line == *[[:space:]] || ${#words[@]} -eq 0 ]] && words+=("")
	IFS=$'\n'
	reply=($("${COMP_WORDS[0]}" --complete "${words[@]:1}" 2>/dev/null))
	if [[ $cur == "=" ]]; then
		# bash's word is the '=' itself: keep it in front of each value
		reply=("${reply[@]/#/=}")
	fi
	if ((${#reply[@]} == 0)); then
		compopt -o default 2>/dev/null	# file names: results, configs
		COMPREPLY=()
		return
	fi
	COMPREPLY=("${reply[@]}")
	[[ ${#reply[@]} -eq 1 && ${reply[0]} == *= ]] && compopt -o nospace 2>/dev/null
	return 0
}
complete -F _faultbench faultbench
