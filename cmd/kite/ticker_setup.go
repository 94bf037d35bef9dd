package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/spf13/cobra"
)

// tickerFlags are the connection knobs shared by every command that reads
// the ticker: stream, watch, record and chain --live.
type tickerFlags struct {
	Watchdog          time.Duration
	ReconnectBase     time.Duration
	ReconnectMax      time.Duration
	ReconnectAttempts int

	watchdogSet func() bool // whether --watchdog was given (it wins over KITE_WATCHDOG)
}

func (tf *tickerFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.DurationVar(&tf.Watchdog, "watchdog", kite.DefaultWatchdog, "reconnect when nothing (not even a heartbeat) arrives for this long (env KITE_WATCHDOG)")
	tf.watchdogSet = func() bool { return fl.Changed("watchdog") }
	fl.DurationVar(&tf.ReconnectBase, "reconnect-base", 0, "first reconnect backoff (env KITE_RECONNECT_BASE; default 2s)")
	fl.DurationVar(&tf.ReconnectMax, "reconnect-max", 0, "longest reconnect backoff (env KITE_RECONNECT_MAX; default 60s)")
	fl.IntVar(&tf.ReconnectAttempts, "reconnect-attempts", 0, "connection attempts before giving up with exit 6 (env KITE_RECONNECT_ATTEMPTS; default 50)")
}

// policy is the reconnect policy: defaults, then KITE_RECONNECT_*, then
// flags. It settles the watchdog the same way (KITE_WATCHDOG, --watchdog).
func (tf *tickerFlags) policy(getenv func(string) string) (retry.Policy, error) {
	if v := getenv("KITE_WATCHDOG"); v != "" && (tf.watchdogSet == nil || !tf.watchdogSet()) {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return retry.Policy{}, exitcode.Usagef("KITE_WATCHDOG=%q is not a positive duration such as 30s", v)
		}
		tf.Watchdog = d
	}
	p, err := retry.Reconnect().FromEnv("KITE_RECONNECT", getenv)
	if err != nil {
		return p, exitcode.Usagef("%v", err)
	}
	if tf.ReconnectBase > 0 {
		p.Base = tf.ReconnectBase
	}
	if tf.ReconnectMax > 0 {
		p.Max = tf.ReconnectMax
	}
	if tf.ReconnectAttempts < 0 {
		return p, exitcode.Usagef("--reconnect-attempts must be at least 1")
	}
	if tf.ReconnectAttempts > 0 {
		p.Attempts = tf.ReconnectAttempts
	}
	if tf.Watchdog <= 0 {
		return p, exitcode.Usagef("--watchdog must be positive, such as 5s")
	}
	return p, nil
}

// setup settles what stream and watch need before connecting, in the order
// that makes a bad flag a usage error before any request: the reconnect
// policy and URLs, the instruments (resolved), then the session (and its
// ticker URL). The ticker options
// come back complete but for the Handler.
func (tf *tickerFlags) setup(ctx context.Context, f *Factory, args []string, file string) ([]instrument, kite.TickerOptions, error) {
	policy, err := tf.policy(f.Getenv)
	if err != nil {
		return nil, kite.TickerOptions{}, err
	}
	if err := f.checkEndpoints(); err != nil {
		return nil, kite.TickerOptions{}, err
	}
	allowCleartext, err := f.allowCleartext()
	if err != nil {
		return nil, kite.TickerOptions{}, err
	}
	names, err := instrumentArgs(args, file, f.IO.Stdin(ctx), f.IO.ErrOut)
	if err != nil {
		return nil, kite.TickerOptions{}, err
	}
	insts, err := resolveInstruments(ctx, f, names)
	if err != nil {
		return nil, kite.TickerOptions{}, err
	}
	creds, err := f.Credentials(ctx)
	if err != nil {
		return nil, kite.TickerOptions{}, err
	}
	// Before any connection: a cached session goes only to the ticker it
	// was made with (the REST server was checked with the session).
	if err := f.checkTickerServer(); err != nil {
		return nil, kite.TickerOptions{}, err
	}
	return insts, kite.TickerOptions{
		URL:            f.Global.WSURL,
		Credentials:    creds,
		Reconnect:      policy,
		Watchdog:       tf.Watchdog,
		Logger:         f.Logger,
		AllowCleartext: allowCleartext,
	}, nil
}

// runDeadline is when --until (IST HH:MM) or --duration, whichever comes
// first, ends a run; zero for neither.
func runDeadline(until string, d time.Duration) (time.Time, error) {
	var deadline time.Time
	if until != "" {
		var err error
		if deadline, err = nextIST(until, time.Now()); err != nil {
			return time.Time{}, err
		}
	}
	if d > 0 {
		if t := time.Now().Add(d); deadline.IsZero() || t.Before(deadline) {
			deadline = t
		}
	}
	return deadline, nil
}

// nextIST is the next time (after now) the IST wall clock shows hh:mm.
func nextIST(hhmm string, now time.Time) (time.Time, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return time.Time{}, exitcode.Usagef("--until %q is not a time of day such as 15:30 (IST)", hhmm)
	}
	n := now.In(kite.IST)
	at := time.Date(n.Year(), n.Month(), n.Day(), t.Hour(), t.Minute(), 0, 0, kite.IST)
	if !at.After(n) {
		at = at.AddDate(0, 0, 1)
	}
	return at, nil
}

// instrumentArgs gathers instrument names from args and --file (as
// readSymbolFile reads it), writes NSE into those without an exchange
// (saying so on errOut), and drops repeats, keeping first-seen order.
func instrumentArgs(args []string, file string, stdin io.Reader, errOut io.Writer) ([]string, error) {
	names := append([]string(nil), args...)
	if file != "" {
		more, err := readSymbolFile(stdin, file)
		if err != nil {
			return nil, err
		}
		names = append(names, more...)
	}
	names = qualifySymbols(names, errOut)
	seen := make(map[string]bool, len(names))
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	switch {
	case len(out) == 0:
		return nil, exitcode.Usagef("name at least one instrument, such as NSE:INFY or 408065 (or --file FILE)")
	case len(out) > kite.MaxTickerTokens:
		return nil, exitcode.Usagef("%d instruments: Kite's ticker allows at most %d per API key (3 connections of 3000)", len(out), kite.MaxTickerTokens)
	}
	return out, nil
}

// instrument is one resolved stream target.
type instrument struct {
	token  uint32
	symbol string // "" when named by token and no resolver was needed
}

// resolveInstruments turns names into tokens. Numeric tokens need no
// lookup, so a list of tokens streams without downloading the instrument
// dump; any symbol loads the resolver (only the named exchanges' dumps
// when every name is a symbol, as for quote: see resolverFor), which then
// also names the tokens.
func resolveInstruments(ctx context.Context, f *Factory, names []string) ([]instrument, error) {
	out := make([]instrument, 0, len(names))
	needResolver := false
	for _, n := range names {
		tok, err := strconv.ParseUint(n, 10, 32)
		if err != nil {
			if exch, sym, ok := strings.Cut(n, ":"); !ok || exch == "" || sym == "" {
				return nil, exitcode.Usagef("%q is not an instrument: use EXCHANGE:TRADINGSYMBOL (such as NSE:INFY) or a numeric instrument token", n)
			}
			needResolver = true
			continue
		}
		if tok == 0 {
			return nil, exitcode.Usagef("instrument token 0 is not valid")
		}
	}
	var res *kite.Resolver
	if needResolver {
		var err error
		if res, err = f.resolverFor(ctx, names); err != nil {
			return nil, err
		}
	}
	seen := make(map[uint32]bool, len(names))
	for _, n := range names {
		var in instrument
		if tok, err := strconv.ParseUint(n, 10, 32); err == nil {
			in.token = uint32(tok)
			if res != nil {
				if i, ok := res.ByToken(in.token); ok {
					in.symbol = i.Symbol()
				}
			}
		} else {
			i, err := res.Resolve(n)
			if err != nil {
				return nil, err
			}
			in.token = i.InstrumentToken
			in.symbol = i.Symbol()
		}
		if !seen[in.token] {
			seen[in.token] = true
			out = append(out, in)
		}
	}
	return out, nil
}
