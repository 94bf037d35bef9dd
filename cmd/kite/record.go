package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/spf13/cobra"
)

type recordOptions struct {
	Instruments []string
	File        string
	Dir         string
	Mode        string
	Orders      bool
	Events      bool
	MaxSize     string
	Duration    time.Duration
	Until       string
	Conn        tickerFlags

	// Set by validate from the flags above.
	TickMode ticks.Mode // --mode
	MaxBytes int64      // --max-size; 0 = one file a day
}

// recordFormats: kite record prints only --events records, NDJSON, also
// for -o json (a record stream is JSON).
func recordFormats() output.RecordFormats {
	return output.RecordFormats{
		Writes:  map[string]output.Format{"": output.NDJSON, "json": output.NDJSON, "ndjson": output.NDJSON},
		Refusal: "kite record writes files, and --events prints NDJSON: drop -o %s",
	}
}

// newRecordCmd builds kite record; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newRecordCmd(f *Factory, runF func(*recordOptions) error) *cobra.Command {
	opts := &recordOptions{}
	cmd := &cobra.Command{
		Use:   "record SYMBOL|TOKEN... --dir DIR",
		Short: "Record the live ticker feed to compressed files, for replay and backtests",
		Long: `Record Kite's ticker feed into DIR: every binary tick message, order update
and text message exactly as received, each with its receive time (ns) and
connection, plus connection events (reconnects, gaps) and queue drops. Each
file starts with the instrument mapping of the day (symbol, expiry, strike,
type, lot and tick size) for the recorded tokens, so it decodes correctly
after Kite reuses the tokens. The format is in docs/recording-format.md.

Instruments are given as for kite stream: EXCHANGE:TRADINGSYMBOL symbols or
tokens, as arguments or in --file (- for stdin), up to 9000 over three
connections. The connection heals itself as kite stream's does.

Files are named kite-YYYYMMDD-HHMMSS.mmm.krec after their start in IST, so
ls lists them in time order. A new file starts on each IST day and when a
file would pass --max-size. Files are zstd-compressed in blocks written and
synced to the disk every half second: a recorder killed (SIGKILL, a power
cut) loses at most the last second, and every file stays readable up to its
last complete block. A new run always starts a new file; it never appends.

Recording never slows the socket reader: messages wait in a bounded queue
for the disk, and if the disk falls behind the oldest tick messages are
dropped (never order updates or events), and the gap is recorded as an
event. A full disk ends the run with exit 1 and says so; the files already
written stay as they are.

SIGUSR1 prints the counters (ticks, messages, reconnects, drops, bytes
written) on stderr; with --events they are printed as NDJSON records on
stdout every minute and at the end, with a record for each connection event
and each new file. --duration and --until end the run with exit 0; Ctrl-C or
SIGTERM end it after closing the current file.`,
		Example: `  kite record NSE:INFY NSE:RELIANCE --mode full --dir ~/ticks
  kite instruments --exchange NFO --jq '.[] | select(.name == "NIFTY") | "NFO:" + .tradingsymbol' | kite record --file - --mode full --dir ticks --until 15:31
  kite record 256265 --dir ticks --max-size 1GB --events
  kill -USR1 $(pgrep -f 'kite record')   # print the counters
  kite ticks decode ticks/kite-20261120-*.krec | head`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Instruments = args
			if err := opts.validate(f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRecord(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", symbolFileUsage)
	fl.StringVar(&opts.Dir, "dir", "", "directory to write recordings to (required; must exist)")
	fl.StringVarP(&opts.Mode, "mode", "m", "full", "tick detail: ltp, quote or full")
	fl.BoolVar(&opts.Orders, "orders", true, "record order updates (--orders=false leaves them out of the files)")
	fl.BoolVar(&opts.Events, "events", false, "print connection events, new files and the counters as NDJSON records on stdout")
	fl.StringVar(&opts.MaxSize, "max-size", "", "start a new file before one passes this size, such as 500MB or 2GB (default: one file a day)")
	fl.DurationVar(&opts.Duration, "duration", 0, "stop after this long, such as 6h30m (exit 0)")
	fl.StringVar(&opts.Until, "until", "", "stop at this time of day in IST, HH:MM (exit 0)")
	opts.Conn.register(cmd)
	return cmd
}

// recordQueueLen is the queue between the socket and the disk: three
// connections' worth of kite stream's queue, over a minute of a full feed.
const recordQueueLen = 3 * dropQueueLen

// recordFlushEvery is how often pending frames become a block on disk.
// Half a second keeps the promise (lose at most a second) with
// room for the write itself.
const recordFlushEvery = 500 * time.Millisecond

// validate checks the flags and fills TickMode and MaxBytes.
func (opts *recordOptions) validate(f *Factory) error {
	var ok bool
	if opts.TickMode, ok = ticks.ParseMode(opts.Mode); !ok {
		return exitcode.Usagef("unknown --mode %q: use ltp, quote or full", opts.Mode)
	}
	if opts.Dir == "" {
		return exitcode.Usagef("name a directory to record into: kite record ... --dir DIR")
	}
	if st, err := os.Stat(opts.Dir); err != nil || !st.IsDir() {
		return exitcode.Usagef("--dir %s is not a directory: create it first (mkdir -p %s)", opts.Dir, opts.Dir)
	}
	var err error
	if opts.MaxBytes, err = parseSize(opts.MaxSize); err != nil {
		return err
	}
	if opts.Duration < 0 {
		return exitcode.Usagef("--duration must not be negative")
	}
	if _, err := f.recordFormat(recordFormats()); err != nil {
		return err
	}
	if f.Global.JQ != "" {
		return exitcode.Usagef("--jq does not apply to kite record: filter the --events records with jq, or the recording with kite ticks decode --jq")
	}
	return nil
}

func runRecord(ctx context.Context, f *Factory, opts *recordOptions) error {
	mode, maxSize := opts.TickMode, opts.MaxBytes
	deadline, err := runDeadline(opts.Until, opts.Duration)
	if err != nil {
		return err
	}
	insts, tickerOpts, err := opts.Conn.setup(ctx, f, opts.Instruments, opts.File)
	if err != nil {
		return err
	}
	mapping, err := recordMapping(ctx, f, insts)
	if err != nil {
		return err
	}
	// A file size limit must be an error to report, not a silent death.
	signal.Ignore(syscall.SIGXFSZ)

	var evMu sync.Mutex
	files := &recordFiles{
		dir: opts.Dir, mode: mode.String(), orders: opts.Orders, maxSize: maxSize,
		insts: mapping, version: version,
	}
	if opts.Events {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetEscapeHTML(false)
		files.onEvent = func(rec any) {
			evMu.Lock()
			defer evMu.Unlock()
			_ = enc.Encode(rec)
		}
	}
	// The first file is created before connecting: a directory that
	// cannot be written fails now.
	if err := files.writeEvent(0, time.Now().UnixNano(), recording.Event{Event: "started", Instruments: len(insts)}); err != nil {
		return err
	}
	if err := files.flush(); err != nil {
		return err
	}

	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	if !deadline.IsZero() {
		var cancelDeadline context.CancelFunc
		runCtx, cancelDeadline = context.WithDeadline(runCtx, deadline)
		defer cancelDeadline()
	}

	q := newSinkQueue(files, true, "the disk", recordQueueLen)
	tickerOpts.Handler = newConnNotices(q, f.IO.ErrOut, f.Logger, tickerOpts.Watchdog)
	t, err := kite.NewTicker(tickerOpts)
	if err != nil {
		return err
	}
	tokens := make([]uint32, len(insts))
	for i, in := range insts {
		tokens[i] = in.token
	}
	if err := t.Subscribe(ctx, mode, tokens...); err != nil {
		return err
	}

	drained := make(chan struct{})
	go func() {
		defer close(drained)
		q.drain(func(err error) { cancelRun(err) })
	}()
	go q.report(f.IO.ErrOut, 5*time.Second, drained)
	stopBackground := recordBackground(files, q, f, opts.Events, cancelRun)

	err = t.Run(runCtx)
	q.close(false)
	select {
	case <-drained:
	case <-time.After(10 * time.Second):
		// A disk that hangs: say what is left rather than hang too.
		q.close(true)
	}
	stopBackground()
	q.summary(f.IO.ErrOut)
	ferr := files.finish()
	final := files.counters()
	if opts.Events {
		files.onEvent(final)
	}
	fmt.Fprintf(f.IO.ErrOut, "kite: %v\n", final)

	switch cause := context.Cause(runCtx); {
	case files.err != nil:
		return files.err
	case ferr != nil:
		return ferr
	case ctx.Err() != nil:
		return context.Canceled
	case errors.Is(cause, context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return nil
	case err != nil:
		return tickerHint(err)
	}
	return nil
}

// recordBackground runs the flush timer, the SIGUSR1 counters and, with
// --events, the counters every minute. The returned func stops them.
func recordBackground(files *recordFiles, q *dropQueue, f *Factory, events bool, stop func(error)) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	wg.Go(func() {
		flush := time.NewTicker(recordFlushEvery)
		defer flush.Stop()
		minute := time.NewTicker(time.Minute)
		defer minute.Stop()
		for {
			select {
			case <-done:
				return
			case <-flush.C:
				if err := files.flush(); err != nil {
					stop(err)
				}
			case <-usr1:
				fmt.Fprintf(f.IO.ErrOut, "kite: %v\n", files.counters())
			case <-minute.C:
				if events {
					files.onEvent(files.counters())
				}
			}
		}
	})
	return func() {
		signal.Stop(usr1)
		close(done)
		wg.Wait()
	}
}

// recordMapping is the header's instrument table: what each token is
// today, from the instrument dump. A token the dump does not know is left
// out (it decodes without a symbol).
func recordMapping(ctx context.Context, f *Factory, insts []instrument) ([]recording.Instrument, error) {
	res, err := f.Resolver(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the instrument dump for the recording's header: %w", err)
	}
	out := make([]recording.Instrument, 0, len(insts))
	for _, in := range insts {
		i, ok := res.ByToken(in.token)
		if !ok {
			continue
		}
		out = append(out, recording.Instrument{
			Token: i.InstrumentToken, Exchange: i.Exchange, Tradingsymbol: i.Tradingsymbol, Name: i.Name,
			Expiry: i.Expiry, Strike: i.Strike, InstrumentType: i.InstrumentType, Segment: i.Segment,
			LotSize: uint32(max(i.LotSize, 0)), TickSize: i.TickSize,
		})
	}
	return out, nil
}

// parseSize reads --max-size: a number of bytes with an optional KB, MB,
// GB or TB (powers of 1024; the B is optional). "" is no limit.
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "B")
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSuffix(t, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, exitcode.Usagef("--max-size %q is not a size such as 500MB or 2GB", s)
	}
	if n*mult < 64<<10 {
		return 0, exitcode.Usagef("--max-size %q is too small: at least 64KB", s)
	}
	return n * mult, nil
}
