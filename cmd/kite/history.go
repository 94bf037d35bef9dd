package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

// maxHistoryRequests is how many requests a history download may need
// before it must be confirmed with --yes (at 3 a second, half a minute).
const maxHistoryRequests = 100

// historyOptions are the options of kite history.
type historyOptions struct {
	Symbol     string
	Interval   string
	From, To   string
	Continuous bool
	OI         bool
	Yes        bool
	Retry      retryFlags
	// Format is -o, resolved by historyFormats.
	Format output.Format

	now func() time.Time
}

// historyFormats: kite history writes every format. CSV, NDJSON and a
// JSON array stream as chunks arrive; a table, and JSON or CSV through
// --jq, are printed once every candle is in.
func historyFormats() output.RecordFormats { return output.RecordFormats{} }

// newHistoryCmd builds kite history; runF, when not nil, replaces the run
// function (the seam unit tests use to see the options flags make).
func newHistoryCmd(f *Factory, runF func(*historyOptions) error) *cobra.Command {
	opts := &historyOptions{now: time.Now}
	cmd := &cobra.Command{
		Use:   "history SYMBOL --interval I --from F [--to T]",
		Short: "Historical candles for one instrument, any range",
		Long: `Print historical candles (date, open, high, low, close, volume, and oi with
--oi) for one instrument: EXCHANGE:TRADINGSYMBOL or an instrument token. A
symbol without an exchange (INFY) means NSE (NSE:INFY), with a notice on stderr.

Intervals: minute, 3minute, 5minute, 10minute, 15minute, 30minute, 60minute, day,
or the aliases 1m, 3m, 5m, 10m, 15m, 30m, 1h (or 60m) and 1d.
--from and --to are in IST: a date (2024-01-31; as --to, the end of that day),
a datetime (2024-01-31 09:15 or 2024-01-31T09:15:00, or RFC 3339 with an
offset), or relative: now, today, yesterday, or N followed by min, h, d, w,
mo or y (7d, 3mo, 1y) meaning that long before now. --to defaults to now.

Kite serves a limited range per request (minute: 60 days; 3/5/10minute: 100;
15/30minute: 200; 60minute: 400; day: 2000), so a longer range is fetched in
chunks at Kite's historical rate limit (3 requests a second) and joined with
no duplicate or missing candle. Candles are written as each chunk arrives: if
the session expires midway, what was fetched is kept on stdout (exit 3). A
range needing more than 100 requests must be confirmed with --yes.

Output: CSV (date,open,high,low,close,volume[,oi]) with -o csv, one object per
line with -o ndjson, a JSON array by default in a pipe, a table on a terminal.
A progress bar is drawn on stderr when it is a terminal and more than one
request is needed.

Environment: KITE_RATE_HISTORICAL overrides the client-side limit (e.g. 2/s,
or off); KITE_RETRY_BASE, KITE_RETRY_MAX and KITE_RETRY_ATTEMPTS the retry
policy (default 3s, 30s, 5) for network errors, 5xx and 429, and the
--retry-* flags win over them.`,
		Example: `  kite history NSE:INFY --interval day --from 1y -o csv > infy.csv
  kite history NSE:INFY --interval minute --from 2024-01-01 --to 2024-12-31 --yes -o ndjson
  # The current NIFTY future: contracts expire, so look its symbol up
  FUT=$(kite instruments search NIFTY --exchange NFO --type FUT --limit 1 --jq '.[0].tradingsymbol')
  kite history "NFO:$FUT" --interval 5minute --from 7d --oi -o csv
  kite history 256265 --interval 15m --from today -o ndjson --jq .close`,
		Args: exactArgs(1, "one SYMBOL, e.g. kite history NSE:INFY --interval day --from 1y"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Symbol = qualifySymbols(args[:1], f.IO.ErrOut)[0]
			if err := opts.Retry.validate(); err != nil {
				return err
			}
			var err error
			if opts.Format, err = f.recordFormat(historyFormats()); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runHistory(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Interval, "interval", "i", "day", "candle interval: "+strings.Join(kite.Intervals(), ", ")+" (aliases "+strings.Join(kite.IntervalAliases(), ", ")+")")
	fl.StringVar(&opts.From, "from", "", "start (IST): 2024-01-31, \"2024-01-31 09:15\", 7d, 3mo, 1y, today, … (required)")
	fl.StringVar(&opts.To, "to", "now", "end (IST), same forms as --from")
	fl.BoolVar(&opts.Continuous, "continuous", false, "continuous data across expiries (futures, day candles)")
	fl.BoolVar(&opts.OI, "oi", false, "add open interest (oi column)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "allow a range needing more than 100 requests")
	opts.Retry.register(cmd)
	return cmd
}

// historyPlan is a validated request: everything checked before any
// network call.
type historyPlan struct {
	chunks []kite.Chunk
}

func planHistory(opts *historyOptions) (*historyPlan, error) {
	sym := strings.TrimSpace(opts.Symbol)
	if _, err := strconv.ParseUint(sym, 10, 32); err != nil && !strings.Contains(sym, ":") {
		return nil, &kite.UnknownSymbolError{Symbol: sym}
	}
	interval, ok := kite.CanonicalInterval(opts.Interval)
	if !ok {
		return nil, exitcode.Usagef("unknown --interval %q: use one of %s (or %s)", opts.Interval, strings.Join(kite.Intervals(), ", "), strings.Join(kite.IntervalAliases(), ", "))
	}
	opts.Interval = interval
	if opts.From == "" {
		return nil, exitcode.Usagef("history needs --from, e.g. --from 2024-01-01 or --from 7d")
	}
	now := opts.now()
	from, err := parseWhen(opts.From, now, false)
	if err != nil {
		return nil, exitcode.Usagef("invalid --from: %v", err)
	}
	to, err := parseWhen(opts.To, now, true)
	if err != nil {
		return nil, exitcode.Usagef("invalid --to: %v", err)
	}
	if from.After(now) {
		return nil, exitcode.Usagef("--from %s is in the future: there are no candles yet", from.In(kite.IST).Format(time.RFC3339))
	}
	if to.After(now) {
		to = now // no candles there; and no requests for them
	}
	if opts.Interval == "day" {
		// Day candles are stamped at midnight: "--from 1y" at 11:30 means
		// that day's candle too.
		f := from.In(kite.IST)
		from = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, kite.IST)
	}
	if !from.Before(to) {
		return nil, exitcode.Usagef("--from %s is not before --to %s: swap them or widen the range",
			from.In(kite.IST).Format(time.RFC3339), to.In(kite.IST).Format(time.RFC3339))
	}
	chunks, err := kite.SplitRange(from, to, opts.Interval)
	if err != nil {
		return nil, exitcode.Usagef("%v", err)
	}
	if len(chunks) > maxHistoryRequests && !opts.Yes {
		span, _ := kite.MaxRange(opts.Interval)
		return nil, exitcode.Usagef("this range needs %d requests (Kite serves %d days of %s candles per request; about %s at 3 requests a second), more than %d: narrow --from/--to, use a longer --interval, or pass --yes",
			len(chunks), int(span.Hours()/24), opts.Interval, (time.Duration(len(chunks)) * time.Second / 3).Round(time.Second), maxHistoryRequests)
	}
	return &historyPlan{chunks: chunks}, nil
}

var relativeTime = regexp.MustCompile(`^(\d{1,6})(min|h|d|w|mo|y)$`)

// parseWhen reads a --from/--to value in IST. A bare date is the start of
// the day as --from and its last second as --to.
func parseWhen(s string, now time.Time, isTo bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	n := now.In(kite.IST)
	midnight := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, kite.IST)
	switch strings.ToLower(s) {
	case "now":
		return now, nil
	case "today":
		if isTo {
			return now, nil
		}
		return midnight, nil
	case "yesterday":
		if isTo {
			return midnight.Add(-time.Second), nil
		}
		return midnight.AddDate(0, 0, -1), nil
	}
	if m := relativeTime.FindStringSubmatch(strings.ToLower(s)); m != nil {
		k, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "min":
			return now.Add(-time.Duration(k) * time.Minute), nil
		case "h":
			return now.Add(-time.Duration(k) * time.Hour), nil
		case "d":
			return n.AddDate(0, 0, -k), nil
		case "w":
			return n.AddDate(0, 0, -7*k), nil
		case "mo":
			return n.AddDate(0, -k, 0), nil
		case "y":
			return n.AddDate(-k, 0, 0), nil
		}
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, kite.IST); err == nil {
		if isTo {
			return d.AddDate(0, 0, 1).Add(-time.Second), nil
		}
		return d, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, kite.IST); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: use a date (2024-01-31), a datetime (\"2024-01-31 09:15\"), or a relative time (now, today, yesterday, 30min, 6h, 7d, 2w, 3mo, 1y)", s)
}

func runHistory(ctx context.Context, f *Factory, opts *historyOptions) error {
	plan, err := planHistory(opts) // before any network call
	if err != nil {
		return err
	}
	client, err := opts.Retry.client(ctx, f.Client)
	if err != nil {
		return err
	}
	res, err := f.resolverFor(ctx, []string{opts.Symbol})
	if err != nil {
		return err
	}
	inst, err := res.Resolve(opts.Symbol)
	if err != nil {
		return err
	}
	req := kite.HistoryRequest{Token: inst.InstrumentToken, Interval: opts.Interval,
		Continuous: opts.Continuous, OI: opts.OI}
	if client.Credentials.Kind == kite.Web {
		req.UserID = client.Credentials.UserID
	}
	w := f.newRecordWriter(opts.Format, output.RecordOptions{CSVHeader: kite.CandleColumns(opts.OI)})
	var progress *progressBar
	if f.IO.StderrTTY && len(plan.chunks) > 1 {
		progress = &progressBar{w: f.IO.ErrOut, label: inst.Symbol()}
	}
	var got int
	rec := &candleRecord{oi: opts.OI}
	ferr := client.FetchHistory(ctx, req, plan.chunks, 3, func(cs []kite.Candle, done, total int) error {
		got = done
		progress.update(done, total)
		return writeCandles(w, rec, cs)
	})
	progress.finish()
	if ferr != nil && w.Count() == 0 {
		return ferr // nothing fetched: no empty document on stdout
	}
	// Close ends the document, and prints what had to wait for every
	// candle (a table, --jq on JSON or CSV), also after a failure, with
	// what was fetched.
	werr := w.Close()
	if werr != nil {
		return werr // stdout failed (a full disk): not everything fetched is out
	}
	if ferr != nil {
		if got > 0 {
			return fmt.Errorf("history stopped after %d of %d requests (the %d candles fetched were written): %w", got, len(plan.chunks), w.Count(), ferr)
		}
		return ferr
	}
	return nil
}

// writeCandles writes one chunk's candles, and flushes: what has arrived
// is on stdout even if a later request fails or the process is killed.
// rec is reused, so a candle costs no allocation.
func writeCandles(w *output.RecordWriter, rec *candleRecord, cs []kite.Candle) error {
	for i := range cs {
		rec.c = &cs[i]
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	return w.Flush()
}

// candleRecord is a candle as an output record; oi says whether the CSV
// has an oi column (an empty cell where Kite sent none).
type candleRecord struct {
	c  *kite.Candle
	oi bool
}

func (r *candleRecord) AppendJSON(dst []byte) []byte { return r.c.AppendJSON(dst) }
func (r *candleRecord) AppendCSV(dst []byte) []byte  { return r.c.AppendCSV(dst, r.oi) }

// progressBar draws "[=====>    ] 3/7 NSE:INFY" on stderr (a terminal).
// A nil bar draws nothing.
type progressBar struct {
	w     io.Writer
	label string
	drawn bool
}

func (p *progressBar) update(done, total int) {
	if p == nil {
		return
	}
	const width = 30
	fill := width * done / total
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	fmt.Fprintf(p.w, "\r[%s] %d/%d requests %s", bar, done, total, p.label)
	p.drawn = true
}

func (p *progressBar) finish() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
