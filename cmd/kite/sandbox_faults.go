package main

import (
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/spf13/pflag"
)

// sandboxFaultOptions are the faults of `kite sandbox` that only the Go API
// offered before: expiring sessions and malformed ticker messages.
type sandboxFaultOptions struct {
	SessionTTL     time.Duration
	MalformedEvery time.Duration
}

func (o *sandboxFaultOptions) addFlags(fl *pflag.FlagSet) {
	fl.DurationVar(&o.SessionTTL, "session-ttl", 0, "fault: every session expires this long after it is issued (403 TokenException, ticker closed); 0 = 06:00 IST, as Kite's")
	fl.DurationVar(&o.MalformedEvery, "malformed-every", 0, "fault: send each ticker connection a malformed binary message this often")
}

func (o *sandboxFaultOptions) validate() error {
	if o.SessionTTL < 0 || o.MalformedEvery < 0 {
		return exitcode.Usagef("--session-ttl and --malformed-every must not be negative")
	}
	return nil
}

func (o *sandboxFaultOptions) apply(f *sandbox.Faults) {
	f.SessionTTL = o.SessionTTL
	f.MalformedEvery = o.MalformedEvery
}
