package main

import (
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/spf13/cobra"
)

// Argument validators that return usage errors (exit 2), unlike cobra's own.

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return exitcode.Usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return exitcode.Usagef("%s needs %s", cmd.CommandPath(), what)
		}
		return nil
	}
}

func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return exitcode.Usagef("%s takes at most %s", cmd.CommandPath(), what)
		}
		return nil
	}
}

// noSubcommand is Args for a group that also lists (kite orders, gtt,
// alerts): an argument can only be a mistyped subcommand, so the error
// names the ones there are.
func noSubcommand(subcommands string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return exitcode.Usagef("unknown subcommand %q: use %s", args[0], subcommands)
		}
		return nil
	}
}
