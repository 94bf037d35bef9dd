package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/spf13/cobra"
)

// sandboxOptions are the flags of `kite sandbox`.
type sandboxOptions struct {
	Addr         string
	Seed         int64
	TickInterval time.Duration
	RedirectURL  string
	DropEvery    time.Duration
	Stall        time.Duration
	ErrorRate    float64
	RateLimit    bool
	AllowRemote  bool
	Load         int
	AllowedIPs   []string
	BookLag      time.Duration
	DropPlace    bool
	logLevelSet  bool
	allowedIPs   []netip.Addr

	// Issue 10: faults and the market clock (sandbox_faults.go, sandbox_clock.go).
	faults sandboxFaultOptions
	clock  sandboxClockOptions
	// Issue 12: kite sandbox --replay (sandbox_replay.go).
	replay sandboxReplayOptions
	args   []string
	// Issue 16: quiet unless -v or --log-file (sandbox_log.go).
	log sandboxLogOptions
}

// newSandboxCmd builds kite sandbox; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newSandboxCmd(f *Factory, runF func(*sandboxOptions) error) *cobra.Command {
	opts := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local simulated Kite (REST, login, ticker, paper trading)",
		Long: `Run the built-in sandbox in the foreground: a local Kite that speaks Kite
Connect v3 (same paths, envelopes, error types, rate limits), the Kite web
login and /oms API, and the WebSocket ticker, over a seeded simulated market
with a paper-trading engine. It binds to loopback only.

On start it prints, on stdout, the environment that points kite (or any
client) at it, one eval-able line each:

  export KITE_BASE_URL=http://127.0.0.1:PORT
  export KITE_WS_URL=ws://127.0.0.1:PORT/ws
  export KITE_API_KEY=kitesandbox
  export KITE_ACCESS_TOKEN=<a fresh access token>

It is quiet: only warnings and errors reach stderr. -v logs requests,
ticker connections and faults to stderr; --log-file FILE appends them to
a file instead (both may be given). It runs until SIGINT or SIGTERM, then stops cleanly
(exit 0). For a one-off command, 'kite --sandbox CMD' starts a private
sandbox in-process instead.

Fixed credentials (public; they protect nothing but the sandbox):
  api_key      ` + sandbox.APIKey + `
  api_secret   ` + sandbox.APISecret + `
  user_id      ` + sandbox.UserID + `
  password     ` + sandbox.Password + `
  TOTP secret  ` + sandbox.TOTPSecret + ` (base32)

Endpoints: REST at the root (Authorization: token api_key:access_token);
the same API under /oms (Authorization: enctoken …); GET /connect/login
redirects to --redirect-url with a request_token for POST /session/token
(checksum sha256(api_key+request_token+api_secret)); POST /api/login and
POST /api/twofa (TOTP) set the enctoken cookie; the ticker is at /ws.
Sessions expire at 06:00 IST, as Kite's do: log in again, or restart it.

Market hours: by default (--market-hours always) every segment trades
round the clock, every day, so the sandbox is live whenever you try it, and
quotes, ticks, candles and orders carry the time of day; history before the
start day keeps the real sessions. --market-hours real follows the IST
sessions on weekdays (NSE, BSE, NFO, BFO 09:15–15:30; CDS, BCD 09:00–17:00;
MCX 09:00–23:30): outside them prices stand at the last close, the ticker
sends a new subscription its last tick and then only heartbeats, regular
orders get Kite's "Markets are closed right now…" error, and AMO orders
(kite orders place --variety amo) wait as AMO REQ RECEIVED until the open.
--market-time starts the market's clock at another IST time, which then
runs at the wall clock's speed. Either way a quote, the ticker and the
day's candles agree: they are the same day of the same model.

A recorded day: --replay FILE... (recordings of kite record, in order; a
shell glob works) adds the recorded instruments to the instrument dump
and, from the first ticker subscription on, sends their recorded ticks
re-stamped to now and paced as recorded. Quotes, LTP, OHLC and the paper
engine follow the recorded prices, so a strategy, kite watch or an official
client runs against a real day. When the recording ends, prices stay at
its last ticks.

Faults, for testing clients: --drop-every closes each ticker connection
that long after it opened; --stall sends nothing (not even heartbeats) for
that long after a ticker connects; --error-rate answers that fraction of
REST requests with 503/500; --rate-limit answers every REST request 429;
--book-lag hides each new order from the order book for that long (Kite's
book can lag a placement); --drop-order-responses places each order and
then closes the connection unanswered;
--session-ttl makes every session expire that long after it is issued
(requests get 403 TokenException, so kite exits 3; ticker connections
close), the printed one included; --malformed-every sends each ticker
connection a malformed binary message (a packet longer than the message)
that often.

Kite's 2026 order rules are enforced: a MARKET or SL-M order without
market_protection is refused (InputException, Kite's message), algo_id is
kept on the order, autoslice=true splits an F&O order above its freeze
quantity (NIFTY 1800, BANKNIFTY 900, SENSEX 1000; stock contracts 25 lots)
into at most 10 children, and orders are limited to 10/s, 400/min and
5000/day. --allowed-ips admits order writes (place, modify, cancel) only
from the listed client addresses, as Kite admits them only from an app's
registered static IPs; others get 403 PermissionException naming the
address seen.`,
		Example: `  # Run it in the background and point this shell at it (it logs nothing here)
  kite sandbox --addr 127.0.0.1:7777 > sandbox.env &
  sleep 1; . ./sandbox.env
  kite quote NSE:INFY

  # Watch every request it serves, or keep them in a file
  kite sandbox -v
  kite sandbox --log-file sandbox.log > sandbox.env &

  # Serve a day recorded with kite record
  kite sandbox --replay ticks/kite-20261120-*.krec > sandbox.env &

  # Faster ticks, a fixed seed, and a flaky network
  kite sandbox --tick-interval 100ms --seed 42 --drop-every 30s --error-rate 0.1

  # Kite as a machine outside your static IPs sees it, and a lagging order book
  kite sandbox --allowed-ips 127.0.0.2 --book-lag 3s

  # Real market hours, from Tuesday 02:00 IST: orders are refused, AMOs wait
  kite sandbox --market-hours real --market-time "2026-11-24 02:00" > sandbox.env &

  # Sessions that die after a minute: does your client log in again?
  kite sandbox --session-ttl 1m > sandbox.env &

  # A malformed ticker message every 5 seconds: kite stream reports and skips it
  kite sandbox --malformed-every 5s > sandbox.env &
  sleep 1; . ./sandbox.env
  kite stream NSE:INFY`,
		Args: func(cmd *cobra.Command, args []string) error { return opts.replay.checkArgs(args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.args = args
			opts.logLevelSet = cmd.Flags().Changed("log-level") || cmd.Flags().Changed("debug")
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runSandbox(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "listen address (loopback only unless --allow-remote; port 0 picks a free one)")
	fl.Int64Var(&opts.Seed, "seed", 0, "seed of the simulated market (same seed, same prices)")
	fl.DurationVar(&opts.TickInterval, "tick-interval", time.Second, "market step and ticker batch period (at least 1ms)")
	fl.StringVar(&opts.RedirectURL, "redirect-url", sandbox.DefaultRedirectURL, "the Connect app's registered redirect URL")
	fl.DurationVar(&opts.DropEvery, "drop-every", 0, "fault: close each ticker connection this long after it opened")
	fl.DurationVar(&opts.Stall, "stall", 0, "fault: send nothing on a new ticker connection for this long")
	fl.Float64Var(&opts.ErrorRate, "error-rate", 0, "fault: fraction (0–1) of REST requests answered 503/500")
	fl.BoolVar(&opts.RateLimit, "rate-limit", false, "fault: answer every REST request 429 Too many requests")
	fl.BoolVar(&opts.AllowRemote, "allow-remote", false, "allow a non-loopback --addr (the credentials are public! kite on other machines then needs --"+insecureFlag+": the sandbox speaks plain http)")
	fl.IntVar(&opts.Load, "load-instruments", 0, "add this many synthetic NSE equities (LOAD00001…) for load tests")
	fl.StringSliceVar(&opts.AllowedIPs, "allowed-ips", nil, "admit order writes only from these client IPs, comma-separated (Kite's static-IP rule)")
	fl.DurationVar(&opts.BookLag, "book-lag", 0, "fault: hide each new order from the order book for this long")
	fl.BoolVar(&opts.DropPlace, "drop-order-responses", false, "fault: place each order, then close the connection without answering")

	// Issue 10: faults and the market clock (sandbox_faults.go, sandbox_clock.go).
	opts.faults.addFlags(fl)
	opts.clock.addFlags(fl)
	opts.replay.addFlags(fl)
	opts.log.addFlags(fl)
	cmd.AddCommand(newSandboxResetCmd(f, nil))
	return cmd
}

func (o *sandboxOptions) validate() error {
	if o.TickInterval < sandbox.MinTickInterval {
		return exitcode.Usagef("--tick-interval %v is too short: use at least %v", o.TickInterval, sandbox.MinTickInterval)
	}
	if o.ErrorRate < 0 || o.ErrorRate > 1 {
		return exitcode.Usagef("--error-rate %v is not a fraction: use a number from 0 to 1", o.ErrorRate)
	}
	if o.Load < 0 || o.Load > 100_000 {
		return exitcode.Usagef("--load-instruments %d is out of range: use 0 to 100000", o.Load)
	}
	if o.DropEvery < 0 || o.Stall < 0 || o.BookLag < 0 {
		return exitcode.Usagef("--drop-every, --stall and --book-lag must not be negative")
	}
	o.allowedIPs = nil
	for _, s := range o.AllowedIPs {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return exitcode.Usagef("--allowed-ips: %q is not an IP address, e.g. --allowed-ips 127.0.0.1,::1", s)
		}
		o.allowedIPs = append(o.allowedIPs, ip.Unmap())
	}
	if err := o.faults.validate(); err != nil {
		return err
	}
	u, err := url.Parse(o.RedirectURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exitcode.Usagef("--redirect-url %q is not an http(s) URL", o.RedirectURL)
	}
	return nil
}

// runSandbox runs the sandbox; o has been validated.
func runSandbox(ctx context.Context, f *Factory, o *sandboxOptions) error {
	logger, closeLog, err := o.log.logger(f, o.logLevelSet)
	if err != nil {
		return err
	}
	defer closeLog()
	sbOpts := sandbox.Options{
		Addr:            o.Addr,
		AllowRemote:     o.AllowRemote,
		Seed:            o.Seed,
		TickInterval:    o.TickInterval,
		RedirectURL:     o.RedirectURL,
		Logger:          logger,
		LoadInstruments: o.Load,
		AllowedIPs:      o.allowedIPs,
		Faults: sandbox.Faults{
			DropEvery:         o.DropEvery,
			Stall:             o.Stall,
			ErrorRate:         o.ErrorRate,
			RateLimit:         o.RateLimit,
			BookLag:           o.BookLag,
			DropPlaceResponse: o.DropPlace,
		},
	}
	// Issue 10: faults and the market clock (sandbox_faults.go, sandbox_clock.go).
	o.faults.apply(&sbOpts.Faults)
	if err := o.clock.apply(&sbOpts, time.Now); err != nil {
		return err
	}
	if err := o.replay.apply(&sbOpts, o.args, logger); err != nil {
		return err
	}
	defer o.replay.close()
	srv, err := sandbox.Start(ctx, sbOpts)
	if errors.Is(err, sandbox.ErrRemoteAddr) {
		return exitcode.Usagef("%v (--allow-remote)", err)
	}
	if err != nil {
		return err
	}
	defer srv.Close()
	_, err = fmt.Fprintf(f.IO.Out, "export KITE_BASE_URL=%s\nexport KITE_WS_URL=%s\nexport KITE_API_KEY=%s\nexport KITE_ACCESS_TOKEN=%s\n",
		srv.URL(), srv.WSURL(), sandbox.APIKey, srv.AccessToken())
	if err != nil {
		return fmt.Errorf("writing the environment: %w", err)
	}
	<-ctx.Done()
	logger.Info("sandbox stopping")
	return srv.Close()
}
