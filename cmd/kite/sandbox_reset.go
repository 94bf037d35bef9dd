package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/spf13/cobra"
)

// sandboxResetOptions are the flags of `kite sandbox reset`.
type sandboxResetOptions struct {
	cmdDeps

	Seed int64
	All  bool
}

// newSandboxResetCmd builds kite sandbox reset; runF, when not nil,
// replaces the run function (the seam unit tests use).
func newSandboxResetCmd(f *Factory, runF func(*sandboxResetOptions) error) *cobra.Command {
	opts := &sandboxResetOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Forget the paper account of kite --sandbox",
		Long: `Forget the paper account that 'kite --sandbox' commands share: its
orders, trades, positions, holdings, margins, GTTs and alerts. The next
'kite --sandbox' command starts from the opening account (₹10 lakh per
segment and three seeded holdings).

Each seed (--sandbox-seed, KITE_SANDBOX_SEED) has its own account, kept
under $KITE_HOME/config/sandbox/; this resets seed 0 unless --seed or --all
says otherwise. The market itself needs no reset: it follows from the seed
and the clock. A 'kite sandbox' server keeps no account between runs.`,
		Example: `  # Start the paper account of kite --sandbox afresh
  kite sandbox reset

  # Only the account of seed 42, or every seed's
  kite sandbox reset --seed 42
  kite sandbox reset --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && cmd.Flags().Changed("seed") {
				return exitcode.Usagef("--seed and --all cannot be used together: --all resets every seed's account")
			}
			if runF != nil {
				return runF(opts)
			}
			return runSandboxReset(opts)
		},
	}
	cmd.Flags().Int64Var(&opts.Seed, "seed", 0, "the seed whose account to reset")
	cmd.Flags().BoolVar(&opts.All, "all", false, "reset the accounts of every seed")
	return cmd
}

func runSandboxReset(o *sandboxResetOptions) error {
	dirs, err := kitehome.Resolve(o.Getenv)
	if err != nil {
		return err
	}
	paths := []string{sandboxStatePath(dirs, o.Seed)}
	if o.All {
		paths, err = filepath.Glob(filepath.Join(sandboxStateDir(dirs), "account-seed-*.json"))
		if err != nil {
			return err
		}
	}
	removed := 0
	for _, p := range paths {
		// The lock waits for a --sandbox command still using the account,
		// which would otherwise save it again as it ends.
		unlock, err := kitehome.Lock(p + ".lock")
		if errors.Is(err, os.ErrNotExist) {
			continue // no directory: nothing was ever saved
		}
		if err != nil {
			return err
		}
		err = os.Remove(p)
		unlock()
		switch {
		case err == nil:
			removed++
		case !errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("resetting the sandbox account: %w", err)
		}
	}
	what := fmt.Sprintf("the seed %d sandbox account", o.Seed)
	if o.All {
		what = "every sandbox account"
	}
	if removed == 0 {
		_, err = fmt.Fprintf(o.IO.ErrOut, "%s was already fresh\n", capitalise(what))
		return err
	}
	_, err = fmt.Fprintf(o.IO.ErrOut, "Reset %s: the next kite --sandbox command starts from the opening account\n", what)
	return err
}

func capitalise(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
