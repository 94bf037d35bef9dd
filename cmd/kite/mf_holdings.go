package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

func newMFHoldingsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "holdings",
		Short: "List mutual fund holdings",
		Long: `List the mutual fund holdings: fund, folio, units, average and last NAV
(and its date), and P&L.`,
		Example: `  kite mf holdings
  kite mf holdings --jq 'map(.pnl) | add'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMFHoldings(cmd.Context(), f)
		},
	}
}

func runMFHoldings(ctx context.Context, f *Factory) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	hs, err := c.MFHoldings(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(hs, output.Columns("fund", "tradingsymbol", "folio", "quantity", "average_price", "last_price", "last_price_date", "pnl"))
}
