package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type holdingsOptions struct {
	cmdDeps

	// Compact lists quantities only (Kite's /portfolio/holdings/compact):
	// quicker for scripts that only need what is held.
	Compact bool
}

func newHoldingsCmd(f *Factory, runF func(*holdingsOptions) error) *cobra.Command {
	opts := &holdingsOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "holdings",
		Short: "List long-term equity holdings",
		Long: `List the demat holdings: quantity (settled and T1), average buy price, last
and close price, P&L and the day's change. JSON, NDJSON and CSV carry every
field Kite returns; the table shows the usual columns. --compact lists only
what is held (exchange, symbol, token, quantity, T1 quantity), which Kite
answers faster.

kite holdings summary totals them; kite holdings authorise gets the CDSL
authorisation that selling them needs.`,
		Example: `  kite holdings
  kite holdings -o csv > holdings.csv
  kite holdings --jq 'map(select(.pnl < 0)) | .[].tradingsymbol'
  kite holdings --compact -o csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runHoldings(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Compact, "compact", false, "only what is held: exchange, symbol, token, quantity and T1 quantity")
	cmd.AddCommand(newHoldingsSummaryCmd(f, nil), newHoldingsAuthoriseCmd(f, nil))
	return cmd
}

func runHoldings(ctx context.Context, opts *holdingsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if opts.Compact {
		hs, err := c.HoldingsCompact(ctx)
		if err != nil {
			return err
		}
		return opts.Printer().Print(hs)
	}
	hs, err := c.Holdings(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(hs, output.Columns("tradingsymbol", "exchange", "quantity", "t1_quantity",
		"average_price", "last_price", "close_price", "pnl", "day_change_percentage"))
}
