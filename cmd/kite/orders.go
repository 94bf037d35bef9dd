package main

import (
	"context"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type ordersOptions struct{}

func newOrdersCmd(f *Factory) *cobra.Command {
	opts := &ordersOptions{}
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
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.Usagef("unknown subcommand %q: use show, trades, place, modify, cancel or reconcile", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrders(cmd.Context(), f, opts)
		},
	}
	cmd.AddCommand(
		newOrdersShowCmd(f),
		newOrdersTradesCmd(f),
		newOrdersPlaceCmd(f, nil),
		newOrdersModifyCmd(f, nil),
		newOrdersCancelCmd(f, nil),
		newOrdersReconcileCmd(f),
	)
	return cmd
}

// orderColumns are the table columns of an order book or history.
func orderColumns() output.Option {
	return output.Columns("order_id", "order_timestamp", "status", "exchange", "tradingsymbol",
		"transaction_type", "order_type", "product", "quantity", "filled_quantity", "price",
		"trigger_price", "average_price", "tag")
}

func runOrders(ctx context.Context, f *Factory, _ *ordersOptions) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	book, err := c.Orders(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(book, orderColumns())
}
