package main

import (
	"io"

	"github.com/spf13/cobra"
)

// bashWordsShim is the part of the bash-completion package that cobra's
// bash script needs (_get_comp_words_by_ref), for shells without the
// package (macOS's bash, minimal containers): it rejoins the words bash
// split at COMP_WORDBREAKS characters such as ':' and '=', so NSE:INF is
// one word. With the package installed, its own function is used.
const bashWordsShim = `# Without the bash-completion package, a minimal _get_comp_words_by_ref
# (kite's completion needs only: -n CHARS cur prev words cword).
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
_get_comp_words_by_ref() {
    local __exclude="" __opt OPTIND=1
    while getopts "n:" __opt; do
        [[ $__opt == n ]] && __exclude=$OPTARG
    done
    shift $((OPTIND - 1))
    local -a __words=()
    local __i __w __j=-1 __cw=0 __glue=0
    for ((__i = 0; __i < ${#COMP_WORDS[@]}; __i++)); do
        __w=${COMP_WORDS[__i]}
        if ((__i > 0)) && [[ ${#__w} -eq 1 && -n $__exclude && $__exclude == *"$__w"* ]]; then
            __words[__j]+=$__w
            __glue=1
        elif ((__glue)); then
            __words[__j]+=$__w
            __glue=0
        else
            __words[++__j]=$__w
        fi
        ((__i == COMP_CWORD)) && __cw=$__j
    done
    local __v
    for __v in "$@"; do
        case $__v in
        cur) cur=${__words[__cw]-} ;;
        prev) prev=${__words[__cw-1]-} ;;
        words) words=("${__words[@]}") ;;
        cword) cword=$__cw ;;
        esac
    done
}
fi

`

// genBashCompletion writes kite's bash completion script: cobra's, which
// works with or without the bash-completion package thanks to the shim.
func genBashCompletion(root *cobra.Command, w io.Writer, descriptions bool) error {
	if _, err := io.WriteString(w, "# bash completion for kite (source it, or put it in ~/.local/share/bash-completion/completions/kite)\n"+bashWordsShim); err != nil {
		return err
	}
	return root.GenBashCompletionV2(w, descriptions)
}

// bashCompletionCmd makes `kite completion bash` print genBashCompletion's
// script instead of cobra's bare one.
func bashCompletionCmd(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	comp, _, err := root.Find([]string{"completion", "bash"})
	if err != nil || comp == nil || comp.Name() != "bash" {
		return
	}
	comp.Run = nil
	comp.RunE = func(cmd *cobra.Command, args []string) error {
		noDesc, _ := cmd.Flags().GetBool("no-descriptions")
		return genBashCompletion(root, cmd.OutOrStdout(), !noDesc)
	}
}
