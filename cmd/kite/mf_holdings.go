package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type mfHoldingsOptions struct{ cmdDeps }

func newMFHoldingsCmd(f *Factory, runF func(*mfHoldingsOptions) error) *cobra.Command {
	opts := &mfHoldingsOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "holdings",
		Short: "List mutual fund holdings",
		Long: `List the mutual fund holdings: fund, folio, units, average and last NAV
(and its date), and P&L.`,
		Example: `  kite mf holdings
  kite mf holdings --jq 'map(.pnl) | add'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runMFHoldings(cmd.Context(), opts)
		},
	}
}

func runMFHoldings(ctx context.Context, opts *mfHoldingsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	hs, err := c.MFHoldings(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(hs, output.Columns("fund", "tradingsymbol", "folio", "quantity", "average_price", "last_price", "last_price_date", "pnl"))
}
