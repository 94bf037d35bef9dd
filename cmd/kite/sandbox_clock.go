package main

import (
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/spf13/pflag"
)

// sandboxClockOptions are the market-clock flags of `kite sandbox`.
type sandboxClockOptions struct {
	Hours      string
	MarketTime string
}

func (o *sandboxClockOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&o.Hours, "market-hours", "always", "when the market trades: always (round the clock) or real (IST sessions, weekdays)")
	fl.StringVar(&o.MarketTime, "market-time", "", `start the market clock at this IST time ("YYYY-MM-DD HH:MM[:SS]"); it then runs at the wall clock's speed`)
}

// marketTimeLayouts are the layouts --market-time accepts, in IST.
var marketTimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"}

// apply validates the flags and sets the sandbox's hours and clock.
func (o *sandboxClockOptions) apply(opts *sandbox.Options, wallNow func() time.Time) error {
	hours, ok := market.ParseHours(o.Hours)
	if !ok {
		return exitcode.Usagef("--market-hours %q: use always or real", o.Hours)
	}
	opts.Hours = hours
	if o.MarketTime == "" {
		return nil
	}
	var start time.Time
	var err error
	for _, layout := range marketTimeLayouts {
		if start, err = time.ParseInLocation(layout, o.MarketTime, market.IST); err == nil {
			break
		}
	}
	if err != nil {
		return exitcode.Usagef(`--market-time %q is not an IST time: use "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS", e.g. "2026-11-24 09:15"`, o.MarketTime)
	}
	// The market's time runs from start at the wall clock's pace (the
	// monotonic clock, so a wall-clock jump does not move it).
	wallStart := wallNow()
	opts.MarketClock = func() time.Time { return start.Add(wallNow().Sub(wallStart)) }
	return nil
}
