package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/natsfeed"
	"github.com/kitecli/kite/pkg/ticks"
)

// runStreamFrom is kite stream --from: the ticks a kite stream --publish
// stored in JetStream, printed exactly as kite stream prints them. Each
// packet goes through the same tickWriter, as a one-packet Kite message.
func runStreamFrom(ctx context.Context, f *Factory, opts *streamOptions) error {
	nf := &opts.NATS
	var mode ticks.Mode
	if nf.modeSet {
		var ok bool
		if mode, ok = ticks.ParseMode(opts.Mode); !ok {
			return exitcode.Usagef("unknown --mode %q: use ltp, quote or full", opts.Mode)
		}
	}
	switch {
	case opts.Raw:
		return exitcode.Usagef("--raw cannot be combined with --from: the stream holds single packets; use kite stream --raw against Kite")
	case opts.Snapshot || opts.Greeks:
		return exitcode.Usagef("--snapshot and --greeks need Kite's REST API and cannot be combined with --from")
	case opts.Count < 0 || opts.Duration < 0:
		return exitcode.Usagef("--count and --duration must not be negative")
	}
	since, err := parseSince(nf.Since, time.Now())
	if err != nil {
		return err
	}
	var deadline time.Time
	if opts.Until != "" {
		if deadline, err = nextIST(opts.Until, time.Now()); err != nil {
			return err
		}
	}
	if opts.Duration > 0 {
		if d := time.Now().Add(opts.Duration); deadline.IsZero() || d.Before(deadline) {
			deadline = d
		}
	}
	// Instruments are optional: none means every instrument in the stream.
	var names []string
	if len(opts.Instruments) > 0 || opts.File != "" {
		if names, err = instrumentArgs(opts.Instruments, opts.File, f.IO.In, f.IO.ErrOut); err != nil {
			return err
		}
	}
	nc, js, err := nf.connect(f, nf.From, nil)
	if err != nil {
		return err
	}
	defer nc.Close()
	var insts []instrument
	if len(names) > 0 {
		if insts, err = resolveFromNATS(ctx, f, js, nf, names); err != nil {
			return err
		}
	}
	out := f.newStreamRecordWriter(opts.Format)
	w := &tickWriter{
		out: out, symbols: make(map[uint32]string, len(insts)), mode: mode,
		limit: opts.Count, recvTime: opts.RecvTime, orders: opts.Orders, events: opts.Events,
		errOut: f.IO.ErrOut, logger: f.Logger,
	}
	// Consume's Idle flushes: once a burst, not once a tick.
	w.holdFlush = true
	tokens := make([]uint32, 0, len(insts))
	for _, in := range insts {
		tokens = append(tokens, in.token)
		if in.symbol != "" {
			w.symbols[in.token] = in.symbol
		}
	}
	runCtx := ctx
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	var msg []byte
	var tk ticks.Tick
	err = natsfeed.Consume(runCtx, js, natsfeed.ConsumeOptions{
		Prefix: nf.Prefix, Stream: nf.Stream, Tokens: tokens, Orders: opts.Orders, Events: opts.Events,
		Since: since, Last: nf.Last, Durable: nf.Durable, Idle: out.Flush,
	}, func(m natsfeed.Msg) error {
		var err error
		switch m.Kind {
		case natsfeed.KindTick:
			if m.Symbol != "" && w.symbols[m.Token] == "" {
				w.symbols[m.Token] = m.Symbol
			}
			pkt := m.Data
			if m.JSON {
				t, _, perr := ticks.ParseJSON(m.Data)
				if perr != nil {
					f.Logger.Warn("skipping a NATS message that is not a tick record", "token", m.Token)
					return nil
				}
				tk = t
				pkt = ticks.AppendPacket(nil, &tk)[2:]
			}
			// A one-packet Kite message: count, length, packet.
			msg = append(msg[:0], 0, 1, byte(len(pkt)>>8), byte(len(pkt)))
			msg = append(msg, pkt...)
			err = w.binary(0, msg, m.RecvTime)
		case natsfeed.KindOrder:
			err = w.Text(0, m.Data)
		case natsfeed.KindEvent:
			// As kite stream treats a ticker text message: compacted,
			// and Kite's error and message texts told on stderr too.
			err = w.Text(0, m.Data)
		}
		if errors.Is(err, errStreamDone) {
			return fmt.Errorf("%w: %w", natsfeed.ErrStop, err)
		}
		return err
	})
	w.skipReport()
	if err != nil && !errors.Is(err, errStreamDone) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil &&
		!output.ClosedPipe(err) && !errors.Is(err, context.Canceled) {
		if ns := (*natsfeed.NoStreamError)(nil); errors.As(err, &ns) {
			return exitcode.Usagef("%v", noStream(err))
		}
		return exitcode.With(exitcode.Network, err)
	}
	return streamEnd(ctx, out, err)
}

// parseSince turns --since into a start time: a duration ago (30m), an
// RFC 3339 time, or HH:MM today in IST. Empty is the zero time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("15:04", s); err == nil {
		n := now.In(kite.IST)
		at := time.Date(n.Year(), n.Month(), n.Day(), t.Hour(), t.Minute(), 0, 0, kite.IST)
		if at.After(n) {
			at = at.AddDate(0, 0, -1)
		}
		return at, nil
	}
	return time.Time{}, exitcode.Usagef("--since %q is not a duration such as 30m, a time such as 2026-11-25T09:15:00+05:30, or HH:MM (IST)", s)
}
