package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The margin and charge calculators take their orders from the flags of
// orders place or from a basket file (a JSON array or NDJSON, Kite's field
// names; "-" is stdin).

// readOrderFile reads and checks a basket file.
func readOrderFile(stdin io.Reader, path string) ([]kite.FileOrder, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, exitcode.Usagef("no such file %s: give a JSON or NDJSON file of orders, or - for stdin", path)
	}
	if err != nil {
		return nil, exitcode.Usagef("reading %s: %v", path, err)
	}
	orders, err := kite.ParseOrderFile(data)
	if err != nil {
		return nil, exitcode.Usagef("%s: %v", path, err)
	}
	return orders, nil
}

// flagOrder is the order the argument and the flags of orders place
// describe, for a calculator: an order file and order flags are exclusive.
func flagOrder(cmd *cobra.Command, args []string, opts *ordersPlaceOptions, file string) (kite.OrderParams, string, error) {
	fs := cmd.Flags()
	if len(args) == 1 {
		if opts.Symbol != "" {
			return kite.OrderParams{}, "", exitcode.Usagef("give the instrument once: as an argument or with --symbol")
		}
		opts.Symbol = args[0]
	}
	if file != "" {
		var set []string
		fs.Visit(func(fl *pflag.Flag) {
			if fl.Name != "file" && fl.Name != "consider-positions" && fl.Name != "output" && fl.Name != "jq" {
				set = append(set, "--"+fl.Name)
			}
		})
		if len(set) > 0 || opts.Symbol != "" {
			return kite.OrderParams{}, "", exitcode.Usagef("give the orders in --file or as flags, not both")
		}
		return kite.OrderParams{}, "", nil
	}
	if opts.Symbol == "" {
		return kite.OrderParams{}, "", exitcode.Usagef("which instrument? give EXCHANGE:TRADINGSYMBOL, e.g. %s NSE:INFY --buy --qty 1 --price 1500, or give --file", cmd.CommandPath())
	}
	opts.mpSet = fs.Changed("market-protection")
	return opts.params(time.Now())
}

// marginRow is one order's margin flattened for a table or CSV: the
// charges collapse to their total.
type marginRowCalc struct {
	Order         string  `json:"order"`
	Exchange      string  `json:"exchange"`
	Span          float64 `json:"span"`
	Exposure      float64 `json:"exposure"`
	OptionPremium float64 `json:"option_premium"`
	VaR           float64 `json:"var"`
	Leverage      float64 `json:"leverage"`
	Total         float64 `json:"total"`
	Charges       float64 `json:"charges"`
}

func newMarginRowCalc(name string, m kite.OrderMargin, charges float64) marginRowCalc {
	if name == "" {
		name = m.Tradingsymbol
	}
	return marginRowCalc{Order: name, Exchange: m.Exchange, Span: m.Span, Exposure: m.Exposure,
		OptionPremium: m.OptionPremium, VaR: m.VaR, Leverage: m.Leverage, Total: m.Total, Charges: charges}
}
