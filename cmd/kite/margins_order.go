package main

import (
	"context"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type marginsOrderOptions struct {
	cmdDeps

	Order ordersPlaceOptions
	File  string
}

func newMarginsOrderCmd(f *Factory, runF func(*marginsOrderOptions) error) *cobra.Command {
	opts := &marginsOrderOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "order [EXCHANGE:TRADINGSYMBOL]",
		Short: "Show the margin and charges an order needs, before placing it",
		Long: `Ask Kite what an order would block and cost: span, exposure, option
premium, VaR, leverage and the total margin, with the order's charges. Nothing
is placed.

The order is given with the same flags as kite orders place, or several at
once with --file: a JSON array or NDJSON (one order per line) with Kite's
field names (exchange, tradingsymbol, transaction_type, quantity, price,
trigger_price, product, order_type, variety); - reads stdin. Each order is
margined on its own, against the account's open positions; for a basket
netted as a whole use kite margins basket.

JSON keeps Kite's shape (charges itemised); a table or CSV has one row per
order with the charges' total.`,
		Example: `  kite margins order NSE:INFY --buy --qty 10 --price 1500
  kite margins order NSE:INFY --buy --qty 10 --type MARKET --product MIS --jq '.[0].total'
  kite margins order --file basket.ndjson -o json`,
		Args: maxArgs(1, "one instrument, EXCHANGE:TRADINGSYMBOL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, variety, err := flagOrder(cmd, args, &opts.Order, opts.File)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runMarginsOrder(cmd.Context(), opts, p, variety)
		},
	}
	fl := cmd.Flags()
	addOrderFlags(fl, &opts.Order)
	fl.StringVarP(&opts.File, "file", "f", "", "orders from a JSON or NDJSON file (- for stdin) instead of the flags")
	return cmd
}

func runMarginsOrder(ctx context.Context, opts *marginsOrderOptions, p kite.OrderParams, variety string) error {
	orders, err := calcOrders(opts.cmdDeps, opts.File, p, variety)
	if err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	ms, err := c.OrderMargins(ctx, orders)
	if err != nil {
		return err
	}
	if !opts.flat() {
		return opts.Printer().Print(ms)
	}
	rows := make([]marginRowCalc, len(ms))
	for i, m := range ms {
		rows[i] = newMarginRowCalc("", m, m.Charges.Total)
	}
	return opts.Printer().Print(rows)
}

// calcOrders are the calculator's orders: the file's, or the one the flags
// give.
func calcOrders(d cmdDeps, file string, p kite.OrderParams, variety string) ([]kite.MarginOrder, error) {
	if file == "" {
		return []kite.MarginOrder{marginOrderOf(p, variety)}, nil
	}
	fos, err := readOrderFile(d.IO.In, file)
	if err != nil {
		return nil, err
	}
	orders := make([]kite.MarginOrder, len(fos))
	for i, o := range fos {
		orders[i] = o.MarginOrder
	}
	return orders, nil
}

func marginOrderOf(p kite.OrderParams, variety string) kite.MarginOrder {
	return kite.MarginOrder{Exchange: p.Exchange, Tradingsymbol: p.Tradingsymbol, TransactionType: p.TransactionType,
		Variety: variety, Product: p.Product, OrderType: p.OrderType, Quantity: float64(p.Quantity),
		Price: p.Price, TriggerPrice: p.TriggerPrice}
}
