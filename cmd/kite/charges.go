package main

import (
	"context"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type chargesOptions struct {
	cmdDeps

	Order ordersPlaceOptions
	File  string
}

func newChargesCmd(f *Factory, runF func(*chargesOptions) error) *cobra.Command {
	opts := &chargesOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "charges [EXCHANGE:TRADINGSYMBOL]",
		Short: "Show what a trade costs: the virtual contract note",
		Long: `Ask Kite for the charges of a trade, as its virtual contract note lists
them: brokerage, STT/CTT, exchange transaction charges, SEBI fees, stamp duty,
GST and the total. Nothing is placed.

The trade is given with the flags of kite orders place (--price is the price
it executes at; a MARKET trade is priced at the last price), or several with
--file: a JSON array or NDJSON with Kite's field names, where average_price
(or price) is the execution price; - reads stdin.

JSON keeps Kite's shape; a table or CSV has one row per trade with each
charge in its own column.`,
		Example: `  kite charges NSE:INFY --buy --qty 10 --price 1500
  kite charges NSE:INFY --sell --qty 10 --price 1520 --product MIS --jq '.[0].charges.total'
  kite charges --file trades.ndjson -o csv`,
		Args: maxArgs(1, "one instrument, EXCHANGE:TRADINGSYMBOL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, variety, err := flagOrder(cmd, args, &opts.Order, opts.File)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runCharges(cmd.Context(), opts, p, variety)
		},
	}
	fl := cmd.Flags()
	addOrderFlags(fl, &opts.Order)
	fl.StringVarP(&opts.File, "file", "f", "", "trades from a JSON or NDJSON file (- for stdin) instead of the flags")
	return cmd
}

// chargesRow is one trade's contract note flattened for a table or CSV.
type chargesRow struct {
	TransactionType string  `json:"transaction_type"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	Exchange        string  `json:"exchange"`
	Product         string  `json:"product"`
	Quantity        float64 `json:"quantity"`
	Price           float64 `json:"price"`
	Brokerage       float64 `json:"brokerage"`
	TransactionTax  float64 `json:"stt_ctt"`
	ExchangeCharges float64 `json:"exchange_charges"`
	SEBI            float64 `json:"sebi"`
	StampDuty       float64 `json:"stamp_duty"`
	GST             float64 `json:"gst"`
	Total           float64 `json:"total"`
}

func runCharges(ctx context.Context, opts *chargesOptions, p kite.OrderParams, variety string) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	var orders []kite.ChargeOrder
	if opts.File != "" {
		fos, err := readOrderFile(opts.IO.In, opts.File)
		if err != nil {
			return err
		}
		for i, o := range fos {
			co := o.ChargeOrder()
			if co.AveragePrice == 0 {
				return exitcode.Usagef("%s: order %d has no average_price (or price): charges are computed on the price a trade executes at", opts.File, i+1)
			}
			orders = append(orders, co)
		}
	} else {
		mo := marginOrderOf(p, variety)
		price := p.Price
		if p.OrderType == kite.OrderTypeMarket || p.OrderType == kite.OrderTypeSLM {
			if price = p.TriggerPrice; price == 0 {
				if price, err = lastPrice(ctx, c, p.Exchange+":"+p.Tradingsymbol); err != nil {
					return err
				}
			}
		}
		orders = []kite.ChargeOrder{{Exchange: mo.Exchange, Tradingsymbol: mo.Tradingsymbol, TransactionType: mo.TransactionType,
			Variety: mo.Variety, Product: mo.Product, OrderType: mo.OrderType, Quantity: mo.Quantity, AveragePrice: price}}
	}
	notes, err := c.OrderCharges(ctx, orders)
	if err != nil {
		return err
	}
	if !opts.flat() {
		return opts.Printer().Print(notes)
	}
	rows := make([]chargesRow, len(notes))
	for i, n := range notes {
		ch := n.Charges
		rows[i] = chargesRow{n.TransactionType, n.Tradingsymbol, n.Exchange, n.Product, n.Quantity, n.Price,
			ch.Brokerage, ch.TransactionTax, ch.ExchangeTurnoverCharge, ch.SEBITurnoverCharge, ch.StampDuty, ch.GST.Total, ch.Total}
	}
	return opts.Printer().Print(rows)
}
