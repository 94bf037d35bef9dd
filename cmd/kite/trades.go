package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type tradesOptions struct{ cmdDeps }

func newTradesCmd(f *Factory, runF func(*tradesOptions) error) *cobra.Command {
	opts := &tradesOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "trades",
		Short: "List today's trades (fills)",
		Long: `List today's trade book: every fill of every order, with its order ID,
quantity, average price and fill time. For one order's fills use
kite orders trades ORDER_ID.`,
		Example: `  kite trades
  kite trades -o ndjson
  kite trades --jq 'map(.quantity * .average_price) | add'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runTrades(cmd.Context(), opts)
		},
	}
}

// tradeColumns are the table columns of a trade book.
func tradeColumns() output.Option {
	return output.Columns("trade_id", "order_id", "fill_timestamp", "exchange", "tradingsymbol",
		"transaction_type", "product", "quantity", "average_price")
}

func runTrades(ctx context.Context, opts *tradesOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	ts, err := c.Trades(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(ts, tradeColumns())
}
