package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/pflag"
)

// Order writes move money, so every one goes through the same gate: it is
// validated before any request, previewed with --dry-run, confirmed on a
// terminal, refused without one unless --yes, and capped in value.

// defaultMaxOrderValue caps an order's value (quantity × price, in rupees)
// unless --max-value or KITE_MAX_ORDER_VALUE says otherwise: large enough
// for everyday orders, small enough that a typo in a quantity (an extra
// zero or two) is caught.
const defaultMaxOrderValue = 500000

// writeSafety are the flags every order write shares.
type writeSafety struct {
	DryRun   bool
	Yes      bool
	MaxValue float64
	// capSource names where MaxValue came from, for the refusal message.
	capSource string
}

func (s *writeSafety) addFlags(fs *pflag.FlagSet, withValue bool) {
	fs.BoolVar(&s.DryRun, "dry-run", false, "show what would be sent, send nothing")
	fs.BoolVarP(&s.Yes, "yes", "y", false, "do not ask for confirmation (required without a terminal)")
	if withValue {
		fs.Float64Var(&s.MaxValue, "max-value", 0, fmt.Sprintf("refuse orders worth more than this many rupees, 0 for no cap (env KITE_MAX_ORDER_VALUE; default %d)", defaultMaxOrderValue))
	}
}

// resolveMaxValue settles the cap: the flag, else KITE_MAX_ORDER_VALUE,
// else the default. A malformed environment value is a usage error, not a
// silently lifted cap.
func (s *writeSafety) resolveMaxValue(fs *pflag.FlagSet, getenv func(string) string) error {
	if fs.Changed("max-value") {
		s.capSource = "--max-value"
		if s.MaxValue < 0 {
			return exitcode.Usagef("--max-value must be 0 (no cap) or positive, got %v", s.MaxValue)
		}
		return nil
	}
	s.MaxValue, s.capSource = defaultMaxOrderValue, "the default cap"
	if v := strings.TrimSpace(getenv("KITE_MAX_ORDER_VALUE")); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 {
			return exitcode.Usagef("KITE_MAX_ORDER_VALUE=%q is not a number of rupees (0 for no cap)", v)
		}
		s.MaxValue, s.capSource = n, "KITE_MAX_ORDER_VALUE"
	}
	return nil
}

// checkValue refuses an order worth more than the cap.
func (s *writeSafety) checkValue(value float64) error {
	if s.MaxValue > 0 && value > s.MaxValue {
		return exitcode.Usagef("order value %s exceeds %s of %s: check the quantity and price, or raise the cap with --max-value (0 for none)",
			rupees(value), s.capSource, rupees(s.MaxValue))
	}
	return nil
}

// interactive reports whether a person can be asked: both stdin and stdout
// are terminals.
func (f *Factory) interactive() bool { return f.IO.StdinTTY && f.IO.StdoutTTY }

// checkCanWrite refuses, before any request, a write that could be neither
// confirmed nor was pre-approved.
func (s *writeSafety) checkCanWrite(f *Factory, action string) error {
	if s.DryRun || s.Yes || f.interactive() {
		return nil
	}
	return exitcode.Usagef("refusing to %s without a terminal to confirm on: add --yes to %s, or --dry-run to preview", action, action)
}

// confirm shows summary on stderr and asks; anything but y/yes declines.
// A signal at the prompt (Ctrl-C) ends the wait at once with the signal's
// cause: nothing is sent, and whatever is typed afterwards is never read
// as the answer.
func (s *writeSafety) confirm(ctx context.Context, f *Factory, summary, question string) error {
	if s.Yes {
		return nil
	}
	line, err := f.IO.Prompt(ctx, fmt.Sprintf("%s\n%s [y/N] ", summary, question))
	if err != nil || line == "" {
		fmt.Fprintln(f.IO.ErrOut)
	}
	if err != nil {
		return err // Ctrl-C or SIGTERM at the prompt: nothing is sent
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return exitcode.With(exitcode.Error, errors.New("not confirmed: nothing was sent"))
}

// writeResult is what an order write prints: the order and its status
// right after the write.
type writeResult struct {
	OrderID         string  `json:"order_id"`
	Tag             string  `json:"tag,omitempty"`
	Variety         string  `json:"variety"`
	Status          string  `json:"status"`
	StatusMessage   string  `json:"status_message"`
	Exchange        string  `json:"exchange,omitempty"`
	Tradingsymbol   string  `json:"tradingsymbol,omitempty"`
	TransactionType string  `json:"transaction_type,omitempty"`
	Quantity        int     `json:"quantity"`
	FilledQuantity  int     `json:"filled_quantity"`
	AveragePrice    float64 `json:"average_price"`
	// ParentOrderID is the autoslice parent of a child order.
	ParentOrderID string `json:"parent_order_id,omitempty"`
	// Reconciled is set when the write's response was lost but the order
	// was found in the order book by its tag.
	Reconciled bool `json:"reconciled,omitempty"`
}

// settle looks the order up after a write, so the result says whether Kite
// accepted it and a rejection (e.g. insufficient margin) exits 5. When the
// lookup fails the write still happened: the result has the order ID and
// the status is left blank, with a warning.
func settle(ctx context.Context, f *Factory, c *kite.Client, res writeResult) (writeResult, error) {
	hist, err := c.OrderHistory(ctx, res.OrderID)
	if err != nil || len(hist) == 0 {
		f.Logger.Warn("could not read the order's status", "order_id", res.OrderID, "err", err)
		return res, nil
	}
	last := hist[len(hist)-1]
	res.Status, res.StatusMessage = last.Status, last.StatusMessage
	res.Exchange, res.Tradingsymbol, res.TransactionType = last.Exchange, last.Tradingsymbol, last.TransactionType
	res.Quantity, res.FilledQuantity, res.AveragePrice = last.Quantity, last.FilledQuantity, last.AveragePrice
	if res.Tag == "" {
		res.Tag = last.Tag
	}
	if res.Variety == "" {
		res.Variety = last.Variety
	}
	if last.Status == kite.StatusRejected {
		return res, exitcode.With(exitcode.Order, fmt.Errorf("order %s was rejected: %s", res.OrderID, last.StatusMessage))
	}
	return res, nil
}

// openOrder is an order's latest state, which modify and cancel need for
// its variety and for what they show before asking, or an error if the
// order can no longer change (done says what would have been done to it:
// "cancelled", "modified").
func openOrder(ctx context.Context, c *kite.Client, orderID, done string) (kite.Order, error) {
	hist, err := c.OrderHistory(ctx, orderID)
	if err != nil {
		return kite.Order{}, noSuchOrder(orderID, fmt.Errorf("looking up order %s: %w", orderID, err))
	}
	if len(hist) == 0 {
		return kite.Order{}, fmt.Errorf("order %s has no history: see kite orders for today's IDs", orderID)
	}
	cur := hist[len(hist)-1]
	switch cur.Status {
	case kite.StatusComplete, kite.StatusCancelled, kite.StatusRejected:
		return kite.Order{}, fmt.Errorf("order %s is already %s: only open orders can be %s", orderID, cur.Status, done)
	}
	return cur, nil
}

// lastPrice fetches an instrument's last traded price (for the value of a
// MARKET order) from /quote/ltp rather than trusting the instrument dump,
// whose last_price is a day old.
func lastPrice(ctx context.Context, c *kite.Client, symbol string) (float64, error) {
	quotes, err := c.Quote(ctx, kite.QuoteLTP, []string{symbol})
	if err != nil {
		return 0, fmt.Errorf("fetching the last price of %s to value the order: %w", symbol, err)
	}
	var q struct {
		LastPrice float64 `json:"last_price"`
	}
	if raw, ok := quotes[symbol]; !ok || json.Unmarshal(raw, &q) != nil || q.LastPrice <= 0 {
		return 0, fmt.Errorf("no last price for %s to value the order: give a --price (LIMIT) instead", symbol)
	}
	return q.LastPrice, nil
}

// rupees formats an amount with two decimals.
func rupees(v float64) string { return "₹" + strconv.FormatFloat(v, 'f', 2, 64) }
