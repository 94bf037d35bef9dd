package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type auctionsOptions struct{ cmdDeps }

func newAuctionsCmd(f *Factory, runF func(*auctionsOptions) error) *cobra.Command {
	opts := &auctionsOptions{cmdDeps: f.deps()}
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
			if runF != nil {
				return runF(opts)
			}
			return runAuctions(cmd.Context(), opts)
		},
	}
}

func runAuctions(ctx context.Context, opts *auctionsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.AuctionInstruments(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(list, output.Columns("tradingsymbol", "exchange", "auction_number", "quantity",
		"average_price", "last_price", "pnl"))
}
