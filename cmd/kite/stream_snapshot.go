package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
)

// snapshot prints one record per instrument from the REST quote endpoints,
// in the tick record's shape (so a consumer reads it like any tick) with
// "snapshot":true. Kite answers /quote for at most 500 instruments and
// /quote/ltp for 1000 at a time, and at one request a second; the client's
// rate limiter paces the batches.
func (w *tickWriter) snapshot(ctx context.Context, f *Factory, insts []instrument, mode ticks.Mode) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	qm := kite.QuoteFull
	if mode == ticks.ModeLTP {
		qm = kite.QuoteLTP
	}
	for len(insts) > 0 {
		batch := insts[:min(len(insts), qm.BatchSize())]
		insts = insts[len(batch):]
		keys := make([]string, len(batch))
		for i, in := range batch {
			keys[i] = in.symbol
			if keys[i] == "" {
				keys[i] = strconv.FormatUint(uint64(in.token), 10)
			}
		}
		quotes, err := c.Quote(ctx, qm, keys)
		if err != nil {
			return fmt.Errorf("--snapshot: %w", err)
		}
		for i, in := range batch {
			raw, ok := quotes[keys[i]]
			if !ok {
				f.Logger.Warn("--snapshot: no quote from Kite", "instrument", keys[i])
				continue
			}
			tick, err := kite.QuoteTick(raw, in.token, mode)
			if err != nil {
				return fmt.Errorf("--snapshot: %s: %w", keys[i], err)
			}
			w.snap = ticks.AppendJSON(w.snap[:0], &tick, in.symbol)
			w.snap = append(w.snap[:len(w.snap)-2], `,"snapshot":true}`+"\n"...)
			if err := w.out.WriteJSON(w.snap); err != nil {
				return err
			}
		}
		// One flush a batch, as the ticker's records flush once a message.
		if err := w.out.Flush(); err != nil {
			return err
		}
	}
	return nil
}
