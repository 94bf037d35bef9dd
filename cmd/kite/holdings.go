package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type holdingsOptions struct{}

func newHoldingsCmd(f *Factory) *cobra.Command {
	opts := &holdingsOptions{}
	return &cobra.Command{
		Use:   "holdings",
		Short: "List long-term equity holdings",
		Long: `List the demat holdings: quantity (settled and T1), average buy price, last
and close price, P&L and the day's change. JSON, NDJSON and CSV carry every
field Kite returns; the table shows the usual columns.`,
		Example: `  kite holdings
  kite holdings -o csv > holdings.csv
  kite holdings --jq 'map(select(.pnl < 0)) | .[].tradingsymbol'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHoldings(cmd.Context(), f, opts)
		},
	}
}

func runHoldings(ctx context.Context, f *Factory, _ *holdingsOptions) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	hs, err := c.Holdings(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(hs, output.Columns("tradingsymbol", "exchange", "quantity", "t1_quantity",
		"average_price", "last_price", "close_price", "pnl", "day_change_percentage"))
}
