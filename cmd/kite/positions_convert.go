package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type positionsConvertOptions struct {
	cmdDeps
	Symbol    string
	From, To  string
	Qty       int
	Overnight bool
	Safety    writeSafety
}

// newPositionsConvertCmd builds kite positions convert; runF, when not
// nil, runs instead of runPositionsConvert with the options as parsed and
// checked (tests use it).
func newPositionsConvertCmd(f *Factory, runF func(*positionsConvertOptions) error) *cobra.Command {
	opts := &positionsConvertOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "convert EXCHANGE:TRADINGSYMBOL --from PRODUCT --to PRODUCT",
		Short: "Convert a position to another product (e.g. MIS to CNC)",
		Long: `Convert an open position's product: MIS to CNC to hold an intraday buy
overnight, CNC to MIS, NRML to MIS and back for derivatives. The margin
follows: converting to CNC blocks the full value.

The position is found in today's positions: its side (long or short) comes
from it, and the quantity defaults to all of it (--qty for part). --overnight
converts a position carried from an earlier day instead of today's.

A conversion is a write: --dry-run shows it and sends nothing; on a terminal
it is confirmed; without one it needs --yes; a conversion worth more than
--max-value (KITE_MAX_ORDER_VALUE, default ₹5,00,000) at its average price is
refused. Prints the position after the conversion.`,
		Example: `  kite positions convert NSE:INFY --from MIS --to CNC --dry-run
  kite positions convert NSE:INFY --from MIS --to CNC --qty 5 --yes
  kite positions convert NSE:INFY --from CNC --to MIS --yes`,
		Args: exactArgs(1, "the position's instrument, EXCHANGE:TRADINGSYMBOL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Symbol = args[0]
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			if _, err := opts.conversion(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runPositionsConvert(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.From, "from", "", "the position's product now: "+strings.Join(kite.Products(), ", "))
	fl.StringVar(&opts.To, "to", "", "the product to convert to")
	fl.IntVarP(&opts.Qty, "qty", "q", 0, "quantity to convert (default: the whole position)")
	fl.BoolVar(&opts.Overnight, "overnight", false, "convert an overnight (carried) position rather than today's")
	opts.Safety.addFlags(fl, true)
	return cmd
}

// convertResult is what the command prints: the conversion, and the
// position's quantities in both products afterwards.
type convertResult struct {
	kite.ConvertParams
	Value      float64 `json:"value"`
	DryRun     bool    `json:"dry_run,omitempty"`
	Converted  bool    `json:"converted"`
	FromNowQty *int    `json:"from_quantity_after,omitempty"`
	ToNowQty   *int    `json:"to_quantity_after,omitempty"`
}

// conversion is the instrument and products the flags name, upper-cased
// and checked as far as can be without the network. The command runs it
// before runF; the run again.
func (o *positionsConvertOptions) conversion() (kite.ConvertParams, error) {
	exchange, symbol, ok := strings.Cut(strings.ToUpper(o.Symbol), ":")
	if !ok || exchange == "" || symbol == "" {
		return kite.ConvertParams{}, exitcode.Usagef("give the instrument as EXCHANGE:TRADINGSYMBOL, e.g. kite positions convert NSE:INFY --from MIS --to CNC")
	}
	from, to := strings.ToUpper(o.From), strings.ToUpper(o.To)
	products := kite.Products()
	switch {
	case from == "" || to == "":
		return kite.ConvertParams{}, exitcode.Usagef("say which products: --from %s --to %s, for example", "MIS", "CNC")
	case !slices.Contains(products, from) || !slices.Contains(products, to):
		return kite.ConvertParams{}, exitcode.Usagef("products are %s", strings.Join(products, ", "))
	case from == to:
		return kite.ConvertParams{}, exitcode.Usagef("--from and --to are both %s", from)
	case o.Qty < 0:
		return kite.ConvertParams{}, exitcode.Usagef("--qty must be positive")
	}
	return kite.ConvertParams{Exchange: exchange, Tradingsymbol: symbol, OldProduct: from, NewProduct: to}, nil
}

func runPositionsConvert(ctx context.Context, opts *positionsConvertOptions) error {
	cv, err := opts.conversion()
	if err != nil {
		return err
	}
	exchange, symbol, from, to := cv.Exchange, cv.Tradingsymbol, cv.OldProduct, cv.NewProduct
	if err := opts.Safety.checkCanWrite(opts.IO, "convert a position"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	pos, err := c.Positions(ctx)
	if err != nil {
		return err
	}
	book := pos.Day
	if opts.Overnight {
		book = pos.Net
	}
	var cur *kite.Position
	for i, p := range book {
		if p.Exchange == exchange && p.Tradingsymbol == symbol && p.Product == from && p.Quantity != 0 {
			cur = &book[i]
		}
	}
	if cur == nil {
		return exitcode.Usagef("no open %s position in %s:%s: see kite positions", from, exchange, symbol)
	}
	p := kite.ConvertParams{Exchange: exchange, Tradingsymbol: symbol, TransactionType: kite.Buy, PositionType: "day",
		Quantity: opts.Qty, OldProduct: from, NewProduct: to}
	if opts.Overnight {
		p.PositionType = "overnight"
	}
	held := cur.Quantity
	if held < 0 {
		p.TransactionType, held = kite.Sell, -held
	}
	if p.Quantity == 0 {
		p.Quantity = held
	}
	if p.Quantity > held {
		return exitcode.Usagef("the %s position in %s:%s is %d: --qty %d is more", from, exchange, symbol, held, p.Quantity)
	}
	res := convertResult{ConvertParams: p, Value: math.Round(float64(p.Quantity)*cur.AveragePrice*cur.Multiplier*100) / 100}
	if err := opts.Safety.checkValue(res.Value); err != nil {
		return err
	}
	if opts.Safety.DryRun {
		res.DryRun = true
		return opts.Printer().Print(res)
	}
	summary := fmt.Sprintf("convert %d %s:%s (%s) from %s to %s  value ≈ %s", p.Quantity, exchange, symbol,
		strings.ToLower(map[string]string{kite.Buy: "long", kite.Sell: "short"}[p.TransactionType]), from, to, rupees(res.Value))
	if err := opts.Safety.confirm(ctx, opts.IO, summary, "Convert this position?"); err != nil {
		return err
	}
	if err := c.ConvertPosition(ctx, p); err != nil {
		return err
	}
	res.Converted = true
	if after, err := c.Positions(ctx); err == nil {
		book = after.Day
		if opts.Overnight {
			book = after.Net
		}
		for _, q := range book {
			if q.Exchange == exchange && q.Tradingsymbol == symbol {
				n := q.Quantity
				switch q.Product {
				case from:
					res.FromNowQty = &n
				case to:
					res.ToNowQty = &n
				}
			}
		}
	}
	return opts.Printer().Print(res)
}
