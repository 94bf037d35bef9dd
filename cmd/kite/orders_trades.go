package main

import (
	"context"

	"github.com/spf13/cobra"
)

type ordersTradesOptions struct {
	cmdDeps
	OrderID string
}

// newOrdersTradesCmd builds the command; runF, when not nil, runs instead of runOrdersTrades
// with the options as parsed and checked (tests use it).
func newOrdersTradesCmd(f *Factory, runF func(*ordersTradesOptions) error) *cobra.Command {
	opts := &ordersTradesOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "trades ORDER_ID",
		Short: "List the fills of one order",
		Long: `List the trades (fills) of one order. An order can fill in several parts at
different prices; each part is one row. An order that has not filled has none.`,
		Example: `  ID=$(kite orders --jq '[.[] | select(.status == "COMPLETE")][0].order_id')
  kite orders trades "$ID"
  kite orders trades "$ID" --jq 'map(.quantity) | add'`,
		Args: exactArgs(1, "an order ID (see kite orders)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.OrderID = args[0]
			if err := checkOrderID(opts.OrderID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runOrdersTrades(cmd.Context(), opts)
		},
	}
}

func runOrdersTrades(ctx context.Context, opts *ordersTradesOptions) error {
	if err := checkOrderID(opts.OrderID); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	ts, err := c.OrderTrades(ctx, opts.OrderID)
	if err != nil {
		return noSuchOrder(opts.OrderID, err)
	}
	return opts.Printer().Print(ts, tradeColumns())
}
