package main

import (
	"context"

	"github.com/spf13/cobra"
)

type ordersTradesOptions struct {
	OrderID string
}

func newOrdersTradesCmd(f *Factory) *cobra.Command {
	opts := &ordersTradesOptions{}
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
			return runOrdersTrades(cmd.Context(), f, opts)
		},
	}
}

func runOrdersTrades(ctx context.Context, f *Factory, opts *ordersTradesOptions) error {
	if err := checkOrderID(opts.OrderID); err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	ts, err := c.OrderTrades(ctx, opts.OrderID)
	if err != nil {
		return noSuchOrder(opts.OrderID, err)
	}
	return f.Printer().Print(ts, tradeColumns())
}
