package main

import (
	"context"

	"github.com/spf13/cobra"
)

func newHoldingsSummaryCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "summary",
		Short: "Show the holdings' totals: invested, current value, P&L",
		Long: `Show the totals of the demat holdings, as Kite computes them: the amount
invested (at average prices), the current value (at last prices), the total
P&L and today's, in rupees and percent.`,
		Example: `  kite holdings summary
  kite holdings summary --jq .total_pnl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHoldingsSummary(cmd.Context(), f)
		},
	}
}

func runHoldingsSummary(ctx context.Context, f *Factory) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	s, err := c.HoldingsSummary(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(s)
}
