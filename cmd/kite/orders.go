package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type ordersOptions struct{ cmdDeps }

// newOrdersCmd builds kite orders and its subcommands; runF, when not nil,
// runs instead of runOrders (tests use it).
func newOrdersCmd(f *Factory, runF func(*ordersOptions) error) *cobra.Command {
	opts := &ordersOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "orders",
		Short: "List today's orders; place, modify, cancel and inspect them",
		Long: `Without a subcommand, list today's order book: every order placed today with
its latest status. The subcommands show one order's history and fills, place,
modify and cancel orders, and reconcile an order's tag with the order book.

Order writes (place, modify, cancel) are sent exactly once, never retried. They
show what they will do and ask for confirmation on a terminal; without one they
refuse unless --yes is given. --dry-run shows the order and sends nothing.`,
		Example: `  kite orders
  kite orders --jq 'map(select(.status == "OPEN")) | .[].order_id'
  kite orders place NSE:INFY --buy --qty 1 --price 1500
  kite orders show "$(kite orders --jq '.[0].order_id')"`,
		Args: noSubcommand("show, trades, place, modify, cancel or reconcile"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runOrders(cmd.Context(), opts)
		},
	}
	cmd.AddCommand(
		newOrdersShowCmd(f, nil),
		newOrdersTradesCmd(f, nil),
		newOrdersPlaceCmd(f, nil),
		newOrdersModifyCmd(f, nil),
		newOrdersCancelCmd(f, nil),
		newOrdersReconcileCmd(f, nil),
	)
	return cmd
}

// orderColumns are the table columns of an order book or history.
func orderColumns() output.Option {
	return output.Columns("order_id", "order_timestamp", "status", "exchange", "tradingsymbol",
		"transaction_type", "order_type", "product", "quantity", "filled_quantity", "price",
		"trigger_price", "average_price", "tag")
}

func runOrders(ctx context.Context, opts *ordersOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	book, err := c.Orders(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(book, orderColumns())
}
