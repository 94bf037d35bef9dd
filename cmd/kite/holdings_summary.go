package main

import (
	"context"

	"github.com/spf13/cobra"
)

type holdingsSummaryOptions struct{ cmdDeps }

func newHoldingsSummaryCmd(f *Factory, runF func(*holdingsSummaryOptions) error) *cobra.Command {
	opts := &holdingsSummaryOptions{cmdDeps: f.deps()}
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
			if runF != nil {
				return runF(opts)
			}
			return runHoldingsSummary(cmd.Context(), opts)
		},
	}
}

func runHoldingsSummary(ctx context.Context, opts *holdingsSummaryOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	s, err := c.HoldingsSummary(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(s)
}
