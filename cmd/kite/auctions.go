package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

func newAuctionsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "auctions",
		Short: "List the holdings that can be sold in today's exchange auctions",
		Long: `List the holdings that can be sold in the exchanges' auction sessions
(after a short delivery), each with its auction number. Sell one with
kite orders place --variety auction --auction NUMBER: a LIMIT sell of the
holding (CNC).`,
		Example: `  kite auctions
  kite auctions --jq '.[] | {tradingsymbol, auction_number}'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAuctions(cmd.Context(), f)
		},
	}
}

func runAuctions(ctx context.Context, f *Factory) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.AuctionInstruments(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(list, output.Columns("tradingsymbol", "exchange", "auction_number", "quantity",
		"average_price", "last_price", "pnl"))
}
