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
		buf := w.out1[:0]
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
			start := len(buf)
			buf = ticks.AppendJSON(buf, &tick, in.symbol)
			buf = append(buf[:len(buf)-2], `,"snapshot":true}`+"\n"...)
			if w.jq != nil {
				if buf, err = w.applyJQ(buf, start); err != nil {
					return err
				}
			}
		}
		w.out1 = buf
		if err := w.write(buf); err != nil {
			return err
		}
	}
	return nil
}
