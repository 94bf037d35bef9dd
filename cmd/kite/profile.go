package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type profileOptions struct {
	cmdDeps

	// Full asks for /user/profile/full: bank accounts, DP IDs, PAN
	// (masked, as Kite sends them), 2FA type and account blocks.
	Full bool
}

func newProfileCmd(f *Factory, runF func(*profileOptions) error) *cobra.Command {
	opts := &profileOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Show the logged-in user's profile",
		Long: `Show the profile of the current session's user: ID, name, email, broker and
the exchanges, products and order types the account is enabled for. --full
adds what Kite's full profile has: phone, bank accounts and DP IDs (masked,
as Kite sends them), PAN (masked), the 2FA type and any account blocks.`,
		Example: `  kite profile
  kite profile --jq .user_id
  kite profile --jq '.exchanges | join(",")'
  kite profile --full --jq .bank_accounts`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runProfile(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Full, "full", false, "the full profile: bank accounts, DP IDs, PAN (masked), 2FA type")
	return cmd
}

func runProfile(ctx context.Context, opts *profileOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if opts.Full {
		p, err := c.FullProfile(ctx)
		if err != nil {
			return err
		}
		return opts.Printer().Print(p, output.Columns("user_id", "user_name", "email", "phone", "twofa_type",
			"pan", "bank_accounts", "dp_ids", "exchanges", "products"))
	}
	p, err := c.Profile(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(p, output.Columns("user_id", "user_name", "user_shortname", "email",
		"user_type", "broker", "exchanges", "products", "order_types"))
}
