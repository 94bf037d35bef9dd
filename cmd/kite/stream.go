package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/exitcode"
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
}

// tickerFlags are the connection knobs shared by stream and watch.
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
	names, err := instrumentArgs(args, file, f.IO.Stdin(ctx))
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

func newStreamCmd(f *Factory) *cobra.Command {
	opts := &streamOptions{}
	cmd := &cobra.Command{
		Use:   "stream SYMBOL|TOKEN...",
		Short: "Stream live ticks as NDJSON (or Kite's raw bytes)",
		Long: `Stream live market ticks from Kite's WebSocket ticker to stdout, one JSON
object per line (the tick record of the official clients, plus "symbol" when the
instrument was named by symbol). Instruments are EXCHANGE:TRADINGSYMBOL symbols
or numeric instrument tokens, as arguments or one per line in --file (- for
stdin); up to 9000, spread over up to three connections as Kite allows.

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
  kite stream NFO:NIFTY26DEC26000CE NFO:NIFTY26DEC26000PE --greeks --jq '[.symbol, .iv, .delta] | @tsv'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Instruments = args
			if err := opts.NATS.check(f, cmd); err != nil {
				return err
			}
			if opts.NATS.From != "" {
				return runStreamFrom(cmd.Context(), f, opts)
			}
			return runStream(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "read instruments from FILE, one per line (- for stdin)")
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
	if o := f.Global.Output; o != "" && o != "ndjson" {
		return exitcode.Usagef("kite stream always prints NDJSON (or --raw bytes): drop -o %s, or use kite watch for a table", o)
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

	out := bufio.NewWriterSize(f.IO.Out, 64<<10)
	w := &tickWriter{
		out:      out,
		symbols:  make(map[uint32]string, len(insts)),
		jq:       f.JQ(),
		raw:      opts.Raw,
		mode:     mode,
		limit:    opts.Count,
		recvTime: opts.RecvTime,
		orders:   opts.Orders,
		events:   opts.Events,
		errOut:   f.IO.ErrOut,
		logger:   f.Logger,
		out1:     make([]byte, 0, 64<<10),
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
			w.out, w.orders, w.events = bufio.NewWriter(io.Discard), false, false
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
func streamEnd(ctx context.Context, out *bufio.Writer, err error) error {
	ferr := out.Flush()
	switch {
	case errors.Is(err, errStreamDone), errors.Is(err, syscall.EPIPE), errors.Is(ferr, syscall.EPIPE):
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

// instrumentArgs gathers instrument names from args and --file (one per
// line or separated by spaces or commas; # starts a comment), deduplicated
// in first-seen order.
func instrumentArgs(args []string, file string, stdin io.Reader) ([]string, error) {
	names := append([]string(nil), args...)
	if file != "" {
		var r io.Reader = stdin
		if file != "-" {
			fh, err := os.Open(file)
			if err != nil {
				return nil, exitcode.Invalidf("reading --file: %v", err)
			}
			defer fh.Close()
			r = fh
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			for _, name := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '\t' || r == '\r' }) {
				if name = strings.TrimSpace(name); name != "" {
					names = append(names, name)
				}
			}
		}
		if err := sc.Err(); errors.Is(err, context.Canceled) {
			return nil, err // a signal while waiting for stdin
		} else if err != nil {
			return nil, exitcode.Invalidf("reading --file %s: %v", file, err)
		}
	}
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
// dump; any symbol loads the resolver, which then also names the tokens.
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
		if res, err = f.Resolver(ctx); err != nil {
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

// tickWriter turns ticker messages into output. The Ticker calls it from
// one goroutine at a time; everything it reuses (the Tick, the line
// buffer, the bufio.Writer) is why the tick path does not allocate.
type tickWriter struct {
	out      *bufio.Writer
	symbols  map[uint32]string
	jq       *output.JQ
	raw      bool
	mode     ticks.Mode      // NDJSON prints only ticks in this mode; 0 = any
	only     map[uint32]bool // kite replay's instruments; nil = all
	limit    int             // 0 = no limit
	count    int
	recvTime bool
	orders   bool
	events   bool
	greeks   *greeksTracker // nil without --greeks
	errOut   io.Writer
	logger   *slog.Logger

	tick    ticks.Tick
	enc     ticks.JSONEncoder
	out1    []byte // the lines of one message
	jqDoc   []byte
	hdr     [2]byte
	textBuf bytes.Buffer
	skipped uint64 // packets the decoder skipped (see checkMessage)
}

func (w *tickWriter) Binary(conn int, msg []byte) error {
	var recv int64
	if w.recvTime {
		recv = time.Now().UnixNano()
	}
	return w.binary(conn, msg, recv)
}

func (w *tickWriter) binary(conn int, msg []byte, recv int64) error {
	if w.raw {
		return w.rawMessage(conn, msg)
	}
	it := ticks.NewIter(msg)
	buf := w.out1[:0]
	done := false
	for !done && it.Next(&w.tick) {
		if w.greeks != nil && !w.greeks.observe(&w.tick) {
			continue // an underlying subscribed only to price the options
		}
		if w.mode != 0 && w.tick.Mode != w.mode {
			// Kite sends a new subscription's first ticks in quote mode
			// until the mode command takes effect; a consumer that asked
			// for full expects every record to be full.
			continue
		}
		if w.only != nil && !w.only[w.tick.InstrumentToken] {
			continue
		}
		start := len(buf)
		buf = w.enc.Append(buf, &w.tick, w.symbols[w.tick.InstrumentToken])
		if w.greeks != nil {
			buf = w.greeks.appendGreeks(buf, &w.tick)
		}
		if w.recvTime {
			buf = appendField(buf, `,"recv_time":`, recv)
		}
		if w.jq != nil {
			var err error
			if buf, err = w.applyJQ(buf, start); err != nil {
				return err
			}
		}
		w.count++
		done = w.limit > 0 && w.count >= w.limit
	}
	w.checkMessage(conn, &it)
	w.out1 = buf
	if err := w.write(buf); err != nil {
		return err
	}
	if done {
		return errStreamDone
	}
	return nil
}

// rawMessage writes msg as it came, except that a message cut by --count
// or by a malformed packet is rewritten to hold only its good, wanted
// packets: the output stays a valid back-to-back capture.
func (w *tickWriter) rawMessage(conn int, msg []byte) error {
	it := ticks.NewIter(msg)
	n, packets, end := 0, 0, 2
	done := false
	for !done && it.Next(&w.tick) {
		n++
		// The packets up to here, skipped ones included: a cut message
		// keeps them, for kite ticks decode to skip and report in turn.
		end, packets = it.Offset(), it.Packets()
		w.count++
		done = w.limit > 0 && w.count >= w.limit
	}
	w.checkMessage(conn, &it)
	if n == 0 {
		return nil
	}
	if err := it.Err(); err != nil || done {
		w.hdr[0], w.hdr[1] = byte(packets>>8), byte(packets)
		if _, err := w.out.Write(w.hdr[:]); err != nil {
			return err
		}
		msg = msg[2:end]
	}
	if err := w.write(msg); err != nil {
		return err
	}
	if done {
		return errStreamDone
	}
	return nil
}

// checkMessage logs a framing fault that cut the message, and counts the
// packets the Iter skipped (unknown lengths, lengths that do not suit the
// token's segment), describing the first of the stream: a feed that keeps
// sending them would otherwise fill stderr. skipReport tells the total.
func (w *tickWriter) checkMessage(conn int, it *ticks.Iter) {
	if err := it.Err(); err != nil {
		w.logger.Warn("skipping the rest of a malformed ticker message", "conn", conn, "error", err.Error(), "offset", it.Offset())
	}
	if n := it.Skipped(); n > 0 {
		if w.skipped == 0 {
			w.logger.Warn("skipping a ticker packet Kite does not send; the rest of the message is decoded and later ones are counted", "conn", conn, "error", it.SkipErr().Error())
		}
		w.skipped += uint64(n)
	}
}

// skipReport tells errOut how many packets were skipped, if any.
func (w *tickWriter) skipReport() {
	switch {
	case w.skipped == 1:
		fmt.Fprintf(w.errOut, "kite: skipped 1 ticker packet Kite does not send (see the warning above)\n")
	case w.skipped > 1:
		fmt.Fprintf(w.errOut, "kite: skipped %d ticker packets Kite does not send (the first is in the warning above)\n", w.skipped)
	}
}

func (w *tickWriter) write(b []byte) error {
	if _, err := w.out.Write(b); err != nil {
		return err
	}
	return w.out.Flush()
}

// appendField adds "name":v to the JSON object line ending buf ("…}\n").
func appendField(buf []byte, name string, v int64) []byte {
	buf = buf[:len(buf)-2]
	buf = append(buf, name...)
	buf = strconv.AppendInt(buf, v, 10)
	return append(buf, '}', '\n')
}

// applyJQ replaces the record at buf[start:] by the --jq results.
func (w *tickWriter) applyJQ(buf []byte, start int) ([]byte, error) {
	w.jqDoc = append(w.jqDoc[:0], buf[start:]...)
	buf = buf[:start]
	err := w.jq.RunJSON(w.jqDoc, func(r any) error {
		var err error
		buf, err = output.AppendResult(buf, r)
		return err
	})
	return buf, err
}

// record writes one JSON record (an order update, an event) through --jq.
func (w *tickWriter) record(doc []byte) error {
	buf := append(w.out1[:0], doc...)
	if buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	if w.jq != nil {
		var err error
		if buf, err = w.applyJQ(buf, 0); err != nil {
			return err
		}
	}
	w.out1 = buf
	return w.write(buf)
}

func (w *tickWriter) text(conn int, msg []byte, _ int64) error { return w.Text(conn, msg) }

func (w *tickWriter) event(ev kite.TickerEvent, _ int64) error { return w.Event(ev) }

func (w *tickWriter) Text(conn int, msg []byte) error {
	typ, text := kite.ParseTickerText(msg)
	switch typ {
	case "order":
		if !w.orders {
			return nil
		}
	case "error", "message":
		fmt.Fprintf(w.errOut, "kite: ticker %s: %s\n", typ, text)
		if !w.events {
			return nil
		}
	default:
		if !w.events {
			return nil
		}
	}
	w.textBuf.Reset()
	if err := json.Compact(&w.textBuf, msg); err != nil {
		w.logger.Warn("ignoring a ticker text message that is not JSON", "conn", conn)
		return nil
	}
	return w.record(w.textBuf.Bytes())
}

// dropped writes, with --events, the record of a gap --on-slow drop left:
// {"type":"event","event":"dropped","time":…,"messages":3,"ticks":300}.
func (w *tickWriter) dropped(c dropCounts) error {
	if !w.events {
		return nil
	}
	rec := struct {
		Type     string `json:"type"`
		Event    string `json:"event"`
		Time     string `json:"time"`
		Messages uint64 `json:"messages"`
		Ticks    uint64 `json:"ticks"`
	}{"event", "dropped", time.Now().In(kite.IST).Format(time.RFC3339), c.messages, c.ticks}
	return w.eventRecord(rec)
}

// eventRecord writes rec, a struct of an event record, as one JSON line.
func (w *tickWriter) eventRecord(rec any) error {
	w.textBuf.Reset()
	enc := json.NewEncoder(&w.textBuf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return err
	}
	return w.record(w.textBuf.Bytes())
}

func (w *tickWriter) Event(ev kite.TickerEvent) error {
	if !w.events {
		return nil
	}
	rec := struct {
		Type        string `json:"type"`
		Event       string `json:"event"`
		Connection  int    `json:"connection"`
		Time        string `json:"time"`
		Instruments int    `json:"instruments,omitempty"`
		Attempt     int    `json:"attempt,omitempty"`
		WaitMS      int64  `json:"wait_ms,omitempty"`
		Error       string `json:"error,omitempty"`
	}{
		Type: "event", Event: string(ev.Kind), Connection: ev.Conn,
		Time:        time.Now().In(kite.IST).Format(time.RFC3339),
		Instruments: ev.Tokens, Attempt: ev.Attempt, WaitMS: ev.Wait.Milliseconds(),
	}
	if ev.Err != nil {
		rec.Error = ev.Err.Error()
	}
	return w.eventRecord(rec)
}
