package main

import (
	"context"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type marginsBasketOptions struct {
	cmdDeps

	File              string
	ConsiderPositions bool
}

func newMarginsBasketCmd(f *Factory, runF func(*marginsBasketOptions) error) *cobra.Command {
	opts := &marginsBasketOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "basket FILE",
		Short: "Show the margin a basket of orders needs, hedges netted",
		Long: `Ask Kite what a basket of orders would block as a whole. Kite answers
the margin of the orders taken one by one (initial), the margin of the basket
with hedges netted (final: a sold option covered by a bought one needs far
less), each order's margin, and the basket's charges. Nothing is placed.

FILE is a JSON array or NDJSON (one order per line) with Kite's field names
(exchange, tradingsymbol, transaction_type, quantity, price, trigger_price,
product, order_type, variety); - reads stdin. --consider-positions nets the
basket against the account's open positions too.

JSON keeps Kite's shape; a table or CSV has a row per order, then the
initial and final totals.`,
		Example: `  kite margins basket spread.ndjson
  kite margins basket spread.ndjson --consider-positions --jq '.final.total'
  cat basket.json | kite margins basket - -o json`,
		Args: exactArgs(1, "a basket file (JSON array or NDJSON), or - for stdin"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runMarginsBasket(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ConsiderPositions, "consider-positions", false, "net the basket against the account's open positions")
	return cmd
}

func runMarginsBasket(ctx context.Context, opts *marginsBasketOptions) error {
	orders, err := calcOrders(opts.cmdDeps, opts.File, kite.OrderParams{}, "")
	if err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	b, err := c.BasketMargins(ctx, orders, opts.ConsiderPositions)
	if err != nil {
		return err
	}
	if !opts.flat() {
		return opts.Printer().Print(b)
	}
	rows := make([]marginRowCalc, 0, len(b.Orders)+2)
	for _, m := range b.Orders {
		rows = append(rows, newMarginRowCalc("", m, m.Charges.Total))
	}
	rows = append(rows, newMarginRowCalc("initial (orders alone)", b.Initial, b.Charges.Total),
		newMarginRowCalc("final (basket, netted)", b.Final, b.Charges.Total))
	return opts.Printer().Print(rows)
}
