package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	Files    []string
	Symbols  []string
	Speed    string
	From, To string
	Orders   bool
	Events   bool
	RecvTime bool

	// Set from the flags before the run function runs.
	Format output.Format // -o, resolved by replayFormats: always NDJSON
	Pace   float64       // --speed as a factor; 0 = max
}

// newReplayCmd builds kite replay; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newReplayCmd(f *Factory, runF func(*replayOptions) error) *cobra.Command {
	opts := &replayOptions{}
	cmd := &cobra.Command{
		Use:   "replay FILE... [SYMBOL|TOKEN...]",
		Short: "Print a recording as kite stream printed it live, at its pace or faster",
		Long: `Read recordings made by kite record and print their ticks as the NDJSON
kite stream would have printed: the same records, in the recorded mode (a
new subscription's first quote-mode ticks are left out, as stream leaves
them out), with "symbol" from the recording's instrument mapping. With
--orders, order updates are printed as Kite sent them; with --events, the
recorded connection events and gaps ({"type":"event",...}, "time" being when
it happened); with --recv-time, each tick's receive time in Unix ns.

Arguments that name files are recordings, read in order; the others are
instruments to keep (EXCHANGE:TRADINGSYMBOL or tokens, looked up in the
recordings' own mapping). --speed 1 (the default) keeps the recorded pace,
--speed 10 plays ten times faster and --speed max as fast as it can.
--from and --to keep the messages received in [from, to): an RFC 3339 time,
or HH:MM[:SS] in IST on the day of the first file.

Output is flushed after each recorded message. A recording cut short (a
killed recorder) is played up to its last complete block and reported on
stderr. Ctrl-C exits 130.`,
		Example: `  kite replay ticks/kite-20261120-*.krec --speed max > day.ndjson
  kite replay ticks/kite-20261120-091500.000.krec NSE:INFY --from 09:15 --to 09:20 --speed 10
  kite replay rec.krec --speed max --events --orders --jq 'select(.type == "order")'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files, opts.Symbols = splitReplayArgs(args)
			if err := opts.validate(f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runReplay(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Speed, "speed", "1", "replay pace: 1 as recorded, N times faster (such as 10 or 0.5), or max")
	fl.StringVar(&opts.From, "from", "", "start at this receive time: RFC 3339, or HH:MM[:SS] IST on the first file's day")
	fl.StringVar(&opts.To, "to", "", "stop before this receive time (as --from)")
	fl.BoolVar(&opts.Orders, "orders", false, "also print the recorded order updates ({\"type\":\"order\",\"data\":...})")
	fl.BoolVar(&opts.Events, "events", false, "also print the recorded connection events, gaps and Kite's error/message texts")
	fl.BoolVar(&opts.RecvTime, "recv-time", false, "add \"recv_time\", the recorded receive time in Unix nanoseconds")
	return cmd
}

// splitReplayArgs tells instruments from files: NSE:INFY and 408065 are
// instruments unless a file of that name exists; anything else is a file.
func splitReplayArgs(args []string) (files, symbols []string) {
	for _, a := range args {
		if looksLikeInstrument(a) && !fileExists(a) {
			symbols = append(symbols, a)
		} else {
			files = append(files, a)
		}
	}
	return files, symbols
}

func looksLikeInstrument(s string) bool {
	if _, err := strconv.ParseUint(s, 10, 32); err == nil {
		return true
	}
	exch, sym, ok := strings.Cut(s, ":")
	return ok && exch != "" && sym != "" && exch == strings.ToUpper(exch) && !strings.ContainsAny(exch, "/.\\")
}

// replaySpeed parses --speed: 0 means as fast as possible.
func replaySpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 1e6 {
		return 0, exitcode.Usagef("--speed %q: use a positive factor such as 1, 10 or 0.5, or max", s)
	}
	return v, nil
}

// replayTime parses --from/--to; day is the IST date clock times refer to.
func replayTime(flag, s string, day time.Time) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixNano(), nil
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			d := day.In(kite.IST)
			return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), t.Second(), 0, kite.IST).UnixNano(), nil
		}
	}
	return 0, exitcode.Usagef("--%s %q is not a time: use 09:15, 09:15:30 (IST, the recording's day) or 2026-11-20T09:15:00+05:30", flag, s)
}

// replayFormats: kite replay prints kite stream's NDJSON records, also
// for -o json (a record stream is JSON), and nothing else.
func replayFormats() output.RecordFormats {
	return output.RecordFormats{
		Writes:  map[string]output.Format{"": output.NDJSON, "json": output.NDJSON, "ndjson": output.NDJSON},
		Refusal: "kite replay always writes NDJSON records: drop -o %s (use --jq to reshape them)",
	}
}

// validate checks the flags and fills Format and Pace.
func (opts *replayOptions) validate(f *Factory) error {
	var err error
	if opts.Format, err = f.recordFormat(replayFormats()); err != nil {
		return err
	}
	if len(opts.Files) == 0 {
		return exitcode.Usagef("name at least one recording: kite replay FILE... [SYMBOL...]")
	}
	opts.Pace, err = replaySpeed(opts.Speed)
	return err
}

func runReplay(ctx context.Context, f *Factory, opts *replayOptions) error {
	if err := checkInputs(opts.Files); err != nil {
		return err
	}
	out := f.newStreamRecordWriter(opts.Format)
	var err error
	p := &replayer{
		speed: opts.Pace,
		w: &tickWriter{
			out: out, recvTime: opts.RecvTime, orders: opts.Orders, events: opts.Events,
			errOut: f.IO.ErrOut, logger: f.Logger,
		},
		symbols: opts.Symbols,
		errOut:  f.IO.ErrOut,
	}
	for i, name := range opts.Files {
		err = p.file(ctx, f, name, i == 0, opts)
		if err != nil {
			break
		}
	}
	p.w.skipReport()
	return streamEnd(ctx, out, err)
}

// replayer plays recordings in order, keeping one pace across files.
type replayer struct {
	w       *tickWriter
	speed   float64 // 0 = max
	symbols []string
	errOut  io.Writer

	from, to int64
	t0       int64     // receive time of the first message played
	wall0    time.Time // when it was played
}

func (p *replayer) file(ctx context.Context, f *Factory, name string, first bool, opts *replayOptions) error {
	in, closeIn, err := openInput(ctx, f, name, "a recording")
	if err != nil {
		return err
	}
	defer closeIn()
	rr, err := recording.NewReader(bufio.NewReaderSize(in, 64<<10))
	if errors.Is(err, recording.ErrNotRecording) {
		return exitcode.Usagef("%s is not a recording made by kite record (for a raw capture, use kite ticks decode)", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	h := rr.Header()
	if first {
		day := h.Created
		if p.from, err = replayTime("from", opts.From, day); err != nil {
			return err
		}
		if p.to, err = replayTime("to", opts.To, day); err != nil {
			return err
		}
	}
	p.w.symbols = tickSymbols(h)
	p.w.mode, _ = ticks.ParseMode(h.Get("mode"))
	if p.w.only, err = replayTokens(p.symbols, h); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for n := 0; ; n++ {
		fr, err := rr.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, recording.ErrTruncated) {
			fmt.Fprintf(p.errOut, "kite: %s: %v\n", name, err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if (p.from != 0 && fr.Recv < p.from) || (p.to != 0 && fr.Recv >= p.to) {
			continue
		}
		if err := p.pace(ctx, fr.Recv); err != nil {
			return err
		}
		switch fr.Kind {
		case recording.KindBinary:
			err = p.w.binary(int(fr.Conn), fr.Data, fr.Recv)
		case recording.KindText:
			err = p.w.Text(int(fr.Conn), fr.Data)
		case recording.KindEvent:
			err = p.event(fr)
		}
		if err != nil {
			return err
		}
	}
}

// pace waits until the message received at recv is due.
func (p *replayer) pace(ctx context.Context, recv int64) error {
	if p.wall0.IsZero() {
		p.t0, p.wall0 = recv, time.Now()
		return nil
	}
	if p.speed == 0 {
		return ctx.Err()
	}
	due := p.wall0.Add(time.Duration(float64(recv-p.t0) / p.speed))
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// event prints a recorded event as kite stream --events printed it live,
// "time" being the recorded time.
func (p *replayer) event(fr recording.Frame) error {
	if !p.w.events {
		return nil
	}
	var ev recording.Event
	if json.Unmarshal(fr.Data, &ev) != nil || ev.Event == "" {
		return nil
	}
	rec := struct {
		Type        string `json:"type"`
		Event       string `json:"event"`
		Connection  int    `json:"connection,omitempty"`
		Time        string `json:"time"`
		Instruments int    `json:"instruments,omitempty"`
		Attempt     int    `json:"attempt,omitempty"`
		WaitMS      int64  `json:"wait_ms,omitempty"`
		Error       string `json:"error,omitempty"`
		Messages    uint64 `json:"messages,omitempty"`
		Ticks       uint64 `json:"ticks,omitempty"`
		Next        string `json:"next,omitempty"`
	}{
		Type: "event", Event: ev.Event, Connection: ev.Connection,
		Time:        fr.Time().In(kite.IST).Format(time.RFC3339),
		Instruments: ev.Instruments, Attempt: ev.Attempt, WaitMS: ev.WaitMS, Error: ev.Error,
		Messages: ev.Messages, Ticks: ev.Ticks, Next: ev.Next,
	}
	return p.w.eventRecord(rec)
}

// replayTokens resolves the instrument arguments in a recording's own
// mapping; nil (no arguments) keeps every token.
func replayTokens(names []string, h *recording.Header) (map[uint32]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	only := make(map[uint32]bool, len(names))
	for _, n := range names {
		if tok, err := strconv.ParseUint(n, 10, 32); err == nil {
			only[uint32(tok)] = true
			continue
		}
		found := false
		for _, in := range h.Instruments {
			if strings.EqualFold(in.Exchange+":"+in.Tradingsymbol, n) {
				only[in.Token], found = true, true
			}
		}
		if !found {
			return nil, exitcode.Usagef("%s is not in the recording's instruments: kite ticks decode FILE --jq .symbol | sort -u lists them", n)
		}
	}
	return only, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
