package main

import (
	"context"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/spf13/cobra"
)

type ordersShowOptions struct {
	cmdDeps
	OrderID string
}

// newOrdersShowCmd builds the command; runF, when not nil, runs instead of runOrdersShow
// with the options as parsed and checked (tests use it).
func newOrdersShowCmd(f *Factory, runF func(*ordersShowOptions) error) *cobra.Command {
	opts := &ordersShowOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "show ORDER_ID",
		Short: "Show an order's history, one row per state",
		Long: `Show every state an order went through (received, validation, open,
modified, complete, cancelled or rejected), oldest first. The last row is the
order as it is now; its status_message says why a rejected order was rejected.`,
		Example: `  ID=$(kite orders --jq '.[0].order_id')
  kite orders show "$ID"
  kite orders show "$ID" --jq '.[-1].status'`,
		Args: exactArgs(1, "an order ID (see kite orders)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.OrderID = args[0]
			if err := checkOrderID(opts.OrderID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runOrdersShow(cmd.Context(), opts)
		},
	}
}

func runOrdersShow(ctx context.Context, opts *ordersShowOptions) error {
	if err := checkOrderID(opts.OrderID); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	hist, err := c.OrderHistory(ctx, opts.OrderID)
	if err != nil {
		return noSuchOrder(opts.OrderID, err)
	}
	return opts.Printer().Print(hist, orderColumns())
}

// checkOrderID rejects what cannot be an order ID before any request: Kite's
// IDs are digits (a long number, as a string).
func checkOrderID(id string) error {
	if id == "" || len(id) > 32 {
		return exitcode.Usagef("%q is not an order ID: see kite orders for today's IDs", id)
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return exitcode.Usagef("%q is not an order ID (digits only): see kite orders for today's IDs", id)
		}
	}
	return nil
}
