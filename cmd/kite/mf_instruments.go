package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

func newMFInstrumentsCmd(f *Factory) *cobra.Command {
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
			return runMFInstruments(cmd.Context(), f)
		},
	}
}

func runMFInstruments(ctx context.Context, f *Factory) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.MFInstruments(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(list, output.Columns("tradingsymbol", "name", "scheme_type", "plan", "dividend_type",
		"minimum_purchase_amount", "last_price", "last_price_date"))
}
