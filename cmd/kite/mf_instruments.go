package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type mfInstrumentsOptions struct{ cmdDeps }

func newMFInstrumentsCmd(f *Factory, runF func(*mfInstrumentsOptions) error) *cobra.Command {
	opts := &mfInstrumentsOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "instruments",
		Short: "List the mutual funds Kite offers",
		Long: `List the funds: ISIN (Kite's tradingsymbol), AMC, name, scheme type, plan,
dividend type, minimum amounts, settlement and the last NAV with its date.`,
		Example: `  kite mf instruments
  kite mf instruments -o csv > funds.csv
  kite mf instruments --jq '.[] | select(.plan == "direct") | .tradingsymbol'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runMFInstruments(cmd.Context(), opts)
		},
	}
}

func runMFInstruments(ctx context.Context, opts *mfInstrumentsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.MFInstruments(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(list, output.Columns("tradingsymbol", "name", "scheme_type", "plan", "dividend_type",
		"minimum_purchase_amount", "last_price", "last_price_date"))
}
