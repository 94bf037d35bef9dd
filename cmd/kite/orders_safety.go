package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
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
func interactive(io *iostreams.IOStreams) bool { return io.StdinTTY && io.StdoutTTY }

// checkCanWrite refuses, before any request, a write that could be neither
// confirmed nor was pre-approved.
func (s *writeSafety) checkCanWrite(io *iostreams.IOStreams, action string) error {
	if s.DryRun || s.Yes || interactive(io) {
		return nil
	}
	return exitcode.Usagef("refusing to %s without a terminal to confirm on: add --yes to %s, or --dry-run to preview", action, action)
}

// confirm shows summary on stderr and asks; anything but y/yes declines.
// A signal at the prompt (Ctrl-C) ends the wait at once with the signal's
// cause: nothing is sent, and whatever is typed afterwards is never read
// as the answer.
func (s *writeSafety) confirm(ctx context.Context, io *iostreams.IOStreams, summary, question string) error {
	if s.Yes {
		return nil
	}
	line, err := io.Prompt(ctx, fmt.Sprintf("%s\n%s [y/N] ", summary, question))
	if err != nil || line == "" {
		fmt.Fprintln(io.ErrOut)
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

// lastPrice is the instrument's last traded price, which values a MARKET
// order (see orderflow.Flow.LastPrice), or what to give instead.
func lastPrice(ctx context.Context, c *kite.Client, symbol string) (float64, error) {
	ltp, err := (&orderflow.Flow{Client: c}).LastPrice(ctx, symbol)
	if errors.Is(err, orderflow.ErrNoLastPrice) {
		return 0, fmt.Errorf("%w: give a --price (LIMIT) instead", err)
	}
	return ltp, err
}

// rupees formats an amount with two decimals.
func rupees(v float64) string { return "₹" + strconv.FormatFloat(v, 'f', 2, 64) }
