package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type profileOptions struct{}

func newProfileCmd(f *Factory) *cobra.Command {
	opts := &profileOptions{}
	return &cobra.Command{
		Use:   "profile",
		Short: "Show the logged-in user's profile",
		Long: `Show the profile of the current session's user: ID, name, email, broker and
the exchanges, products and order types the account is enabled for.`,
		Example: `  kite profile
  kite profile --jq .user_id
  kite profile --jq '.exchanges | join(",")'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfile(cmd.Context(), f, opts)
		},
	}
}

func runProfile(ctx context.Context, f *Factory, _ *profileOptions) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	p, err := c.Profile(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(p, output.Columns("user_id", "user_name", "user_shortname", "email",
		"user_type", "broker", "exchanges", "products", "order_types"))
}
