package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/spf13/cobra"
)

type streamOptions struct {
	Instruments []string
	File        string
	Mode        string
	Orders      bool
	Events      bool
	Raw         bool
	Count       int
	Duration    time.Duration
	Until       string
	Snapshot    bool
	OnSlow      string
	RecvTime    bool
	Greeks      bool
	Conn        tickerFlags
	NATS        natsFlags
	// Format is -o, resolved by streamFormats: always NDJSON.
	Format output.Format
}

// streamFormats: kite stream prints NDJSON records (or, with --raw,
// Kite's bytes), and nothing else; kite replay and kite stream --from
// print what it prints.
func streamFormats() output.RecordFormats {
	return output.RecordFormats{
		Writes:  map[string]output.Format{"": output.NDJSON, "ndjson": output.NDJSON},
		Refusal: "kite stream always prints NDJSON (or --raw bytes): drop -o %s, or use kite watch for a table",
	}
}

// newStreamCmd builds kite stream; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newStreamCmd(f *Factory, runF func(*streamOptions) error) *cobra.Command {
	opts := &streamOptions{}
	cmd := &cobra.Command{
		Use:   "stream SYMBOL|TOKEN...",
		Short: "Stream live ticks as NDJSON (or Kite's raw bytes)",
		Long: `Stream live market ticks from Kite's WebSocket ticker to stdout, one JSON
object per line (the tick record of the official clients, plus "symbol" when the
instrument was named by symbol). Instruments are EXCHANGE:TRADINGSYMBOL symbols
or numeric instrument tokens, as arguments or in --file (- for stdin; one per
line, or separated by commas or tabs); up to 9000, spread over up to three
connections as Kite allows. A symbol without an exchange (INFY) means NSE
(NSE:INFY), with a one-line notice on stderr.

The connection heals itself: on a drop, a close or a silent connection (no data
or heartbeat for --watchdog) it reconnects with backoff and resubscribes, modes
included. Each reconnect is one line on stderr: why the connection was
dropped, the wait and the attempt ("kite: ticker connection 1: watchdog: no
data or heartbeat for 5s; reconnecting in 1.4s (attempt 2 of 50)"); after three
watchdog drops in a row it says how to raise --watchdog. --log-level error
silences these lines. An expired session exits 3 (run kite login); a server
that stays unreachable exits 6 after --reconnect-attempts.

Output is flushed after each message from Kite, never per tick. When stdout is
slower than the market, --on-slow block (the default) pauses reading so nothing
is lost, and --on-slow drop keeps a queue of 64 messages and, when it is full,
drops the oldest tick message: order updates and connection events are never
dropped. Drops are counted on stderr (and, with --events, a record
{"type":"event","event":"dropped","messages":N,"ticks":M} marks each gap);
what is queued when the stream ends is written out, except after Ctrl-C.

--raw writes Kite's binary messages back to back (heartbeats dropped), the
format kite ticks decode reads; it refuses a terminal. Raw messages are Kite's
own, so they may include a new subscription's first ticks in Kite's default
quote mode; NDJSON output only ever holds ticks in --mode.

--count, --duration and --until end the stream with exit 0, as does a closed
stdout (kite stream ... | head). Ctrl-C closes the connection, flushes and exits
130. With --events, connection changes and Kite's error and message texts are
records too ({"type":"event",...}, {"type":"error",...}); with --orders, order
updates are printed as Kite sends them ({"type":"order","data":{...}}).

--greeks adds to each option tick "iv", "delta", "gamma", "theta", "vega",
"underlying_price" and "time_to_expiry", computed by kite from the tick's last
price as kite chain computes them (model, units and day count: see kite chain
--help; the rate is KITE_RISK_FREE_RATE, default 0.0531). The underlying (the
future of the option's expiry, or the spot) is subscribed automatically, and
its ticks are printed only if it was asked for. They are null until the
underlying has ticked, or when no volatility fits. Other ticks are unchanged.`,
		Example: `  kite stream NSE:INFY NSE:RELIANCE
  kite stream NSE:INFY --mode full --count 10
  kite stream 256265 408065 --mode ltp --jq '[.instrument_token, .last_price] | @tsv'
  kite instruments --exchange NFO --jq '.[] | "NFO:" + .tradingsymbol' | kite stream --file - --mode quote
  kite stream NSE:NIFTY\ 50 --until 15:30 >> nifty.ndjson
  kite stream NSE:INFY --raw --duration 1m > infy.bin && kite ticks decode infy.bin
  # Greeks of the nearest NIFTY call: contracts expire, so look its symbol up
  CE=$(kite instruments search NIFTY --exchange NFO --type CE --limit 1 --jq '.[0].tradingsymbol')
  kite stream "NFO:$CE" --greeks --count 5 --jq '[.symbol, .iv, .delta] | @tsv'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Instruments = args
			if err := opts.NATS.check(f, cmd); err != nil {
				return err
			}
			var err error
			if opts.Format, err = f.recordFormat(streamFormats()); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.NATS.From != "" {
				return runStreamFrom(cmd.Context(), f, opts)
			}
			return runStream(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", symbolFileUsage)
	fl.StringVarP(&opts.Mode, "mode", "m", "quote", "tick detail: ltp, quote or full")
	fl.BoolVar(&opts.Orders, "orders", false, "also print order updates ({\"type\":\"order\",\"data\":...})")
	fl.BoolVar(&opts.Events, "events", false, "also print connection events and Kite's error/message texts as records")
	fl.BoolVar(&opts.Raw, "raw", false, "write Kite's binary messages instead of NDJSON (not to a terminal)")
	fl.IntVarP(&opts.Count, "count", "n", 0, "stop after N ticks (exit 0)")
	fl.DurationVar(&opts.Duration, "duration", 0, "stop after this long, such as 30s or 2h (exit 0)")
	fl.StringVar(&opts.Until, "until", "", "stop at this time of day in IST, HH:MM (exit 0)")
	fl.BoolVar(&opts.Snapshot, "snapshot", false, "first print one REST quote per instrument, so even an illiquid one has a value")
	fl.StringVar(&opts.OnSlow, "on-slow", "block", "when stdout is slower than the market: block (lose nothing) or drop (oldest ticks first; never order updates or events)")
	fl.BoolVar(&opts.RecvTime, "recv-time", false, "add \"recv_time\", the local receive time in Unix nanoseconds")
	fl.BoolVar(&opts.Greeks, "greeks", false, "add iv, delta, gamma, theta, vega, underlying_price and time_to_expiry to option ticks")
	opts.Conn.register(cmd)
	opts.NATS.register(cmd)
	return cmd
}

// dropQueueLen is how many messages --on-slow drop holds for a slow
// reader. Kite sends about a message a second per connection, so this is a
// minute of slack, and at most 64 × 558 kB (3000 full-mode ticks) of memory.
const dropQueueLen = 64

// errStreamDone ends a stream that did what was asked (--count, a closed
// stdout); it exits 0.
var errStreamDone = errors.New("stream done")

func runStream(ctx context.Context, f *Factory, opts *streamOptions) error {
	mode, ok := ticks.ParseMode(opts.Mode)
	if !ok {
		return exitcode.Usagef("unknown --mode %q: use ltp, quote or full", opts.Mode)
	}
	if opts.OnSlow != "block" && opts.OnSlow != "drop" {
		return exitcode.Usagef("unknown --on-slow %q: use block or drop", opts.OnSlow)
	}
	if opts.Count < 0 || opts.Duration < 0 {
		return exitcode.Usagef("--count and --duration must not be negative")
	}
	deadline, err := runDeadline(opts.Until, opts.Duration)
	if err != nil {
		return err
	}
	if opts.Raw {
		switch {
		case f.IO.StdoutTTY:
			return exitcode.Usagef("--raw writes binary data and stdout is a terminal: redirect it to a file or pipe it into kite ticks decode")
		case f.JQ() != nil:
			return exitcode.Usagef("--jq works on JSON records and cannot be combined with --raw")
		case opts.Orders || opts.Events || opts.Snapshot || opts.RecvTime || opts.Greeks:
			return exitcode.Usagef("--orders, --events, --snapshot, --recv-time and --greeks add JSON records and cannot be combined with --raw")
		}
	}
	insts, tickerOpts, err := opts.Conn.setup(ctx, f, opts.Instruments, opts.File)
	if err != nil {
		return err
	}

	out := f.newStreamRecordWriter(opts.Format)
	w := &tickWriter{
		out:      out,
		symbols:  make(map[uint32]string, len(insts)),
		raw:      opts.Raw,
		mode:     mode,
		limit:    opts.Count,
		recvTime: opts.RecvTime,
		orders:   opts.Orders,
		events:   opts.Events,
		errOut:   f.IO.ErrOut,
		logger:   f.Logger,
	}
	tokens := make([]uint32, 0, len(insts))
	for _, in := range insts {
		tokens = append(tokens, in.token)
		if in.symbol != "" {
			w.symbols[in.token] = in.symbol
		}
	}
	if opts.Greeks {
		if w.greeks, err = newGreeksTracker(ctx, f, insts); err != nil {
			return err
		}
		tokens = append(tokens, w.greeks.extra...)
	}

	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	if !deadline.IsZero() {
		var cancelDeadline context.CancelFunc
		runCtx, cancelDeadline = context.WithDeadline(runCtx, deadline)
		defer cancelDeadline()
	}

	if opts.Snapshot {
		if err := w.snapshot(runCtx, f, insts, mode); err != nil {
			return streamEnd(ctx, out, err)
		}
	}

	var handler kite.TickerHandler = w
	var q *dropQueue
	if opts.OnSlow == "drop" {
		q = newDropQueue(w, dropQueueLen)
		handler = q
	}
	if opts.NATS.Publish != "" {
		if !opts.NATS.Tee {
			w.out = output.NewRecordWriter(io.Discard, opts.Format, f.JQ(), output.RecordOptions{})
			w.orders, w.events = false, false
		}
		ph, stop, err := startPublish(ctx, f, &opts.NATS, w, handler)
		if err != nil {
			return err
		}
		defer stop()
		handler = ph
	}
	// Before the queue: a reconnect is told on stderr when it happens,
	// however far behind stdout is.
	tickerOpts.Handler = newConnNotices(handler, f.IO.ErrOut, f.Logger, tickerOpts.Watchdog)
	t, err := kite.NewTicker(tickerOpts)
	if err != nil {
		return err
	}
	if err := t.Subscribe(ctx, mode, tokens...); err != nil {
		return err
	}
	drained := make(chan struct{})
	if q != nil {
		go func() {
			defer close(drained)
			q.drain(func(err error) { cancelRun(err) })
		}()
		go q.report(f.IO.ErrOut, 5*time.Second, drained)
	}
	err = t.Run(runCtx)
	if q != nil {
		// A stream that ends as asked (--duration, --until) or because the
		// ticker gave up writes out what is queued: it was received, and
		// may hold order updates. Ctrl-C ends at once, counting what it
		// left. (--count and a closed stdout have stopped the writer
		// already.)
		q.close(ctx.Err() != nil)
		select {
		case <-drained:
		case <-ctx.Done():
			// Ctrl-C while a stuck reader holds the last writes: leave
			// them. The writer may be blocked in a write for good, so
			// stdout is not touched again (no flush).
			q.close(true)
			q.summary(f.IO.ErrOut)
			return context.Canceled
		}
		q.summary(f.IO.ErrOut)
	}
	w.skipReport()
	return streamEnd(ctx, out, err)
}

// streamEnd flushes what is buffered and turns the ways a stream ends into
// exit codes: done, a deadline or a closed stdout are success; ctx's own
// cancellation (SIGINT) is 130; anything else is the error.
func streamEnd(ctx context.Context, out *output.RecordWriter, err error) error {
	ferr := out.Close()
	switch {
	case errors.Is(err, errStreamDone), output.ClosedPipe(err), output.ClosedPipe(ferr):
		return nil
	case ctx.Err() != nil:
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return nil
	case err != nil:
		return tickerHint(err)
	}
	return ferr
}

// tickerHint adds the next step to a ticker that gave up reconnecting.
func tickerHint(err error) error {
	var ex *retry.ExhaustedError
	if errors.As(err, &ex) {
		return fmt.Errorf("%w\ncheck the network (and --ws-url/KITE_WS_URL), or allow more tries with --reconnect-attempts", err)
	}
	return err
}
