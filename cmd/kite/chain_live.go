package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
)

// chainBoard keeps a chain current from ticks. The ticker goroutine writes
// quotes into it; the table redraws from it at a fixed pace, or, for NDJSON,
// each data message prints the strikes it changed.
type chainBoard struct {
	mu       sync.Mutex
	st       *chainState
	strikeOf map[uint32]float64 // option token → strike
	dirty    map[float64]bool
	allDirty bool // the underlying moved: every strike's greeks changed
	changed  bool // anything to redraw
	status   string
	tick     ticks.Tick
	// emit, when set, is called after each data message with the strikes
	// it changed (nil = all), under the board's lock.
	emit func(strikes map[float64]bool) error
}

func newChainBoard(st *chainState) *chainBoard {
	b := &chainBoard{st: st, strikeOf: map[uint32]float64{}, dirty: map[float64]bool{}, status: "connecting", changed: true}
	for _, in := range st.Contracts.Options {
		b.strikeOf[in.InstrumentToken] = in.Strike
	}
	return b
}

func (b *chainBoard) Binary(_ int, msg []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	it := ticks.NewIter(msg)
	for it.Next(&b.tick) {
		t := &b.tick
		tok := t.InstrumentToken
		strike, isOption := b.strikeOf[tok]
		if !isOption && tok != b.st.UnderTok {
			continue
		}
		div := float64(ticks.Divisor(uint8(tok)))
		q := b.st.Quotes[tok]
		old := q
		q.LastPrice = float64(t.LastPrice) / div
		if t.Mode != ticks.ModeLTP {
			q.Volume = int64(t.VolumeTraded)
		}
		// The first ticks may be quotes, without depth or OI: keep those.
		if t.Mode == ticks.ModeFull {
			q.OI = int64(t.OI)
			q.Bid, q.Ask = float64(t.Depth.Buy[0].Price)/div, float64(t.Depth.Sell[0].Price)/div
		}
		if q == old || q.LastPrice <= 0 {
			continue
		}
		b.st.Quotes[tok] = q
		b.changed = true
		if tok == b.st.UnderTok {
			b.allDirty = true
		} else {
			b.dirty[strike] = true
		}
	}
	if b.emit == nil || (!b.allDirty && len(b.dirty) == 0) {
		return nil
	}
	strikes := b.dirty
	if b.allDirty {
		strikes = nil
	}
	err := b.emit(strikes)
	b.dirty, b.allDirty = map[float64]bool{}, false
	return err
}

func (b *chainBoard) Text(int, []byte) error { return nil }

func (b *chainBoard) Event(ev kite.TickerEvent) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status = tickerStatus(ev, b.status)
	b.changed = true
	return nil
}

// errChainStdoutClosed ends an NDJSON chain whose reader went away.
var errChainStdoutClosed = errors.New("stdout closed")

func runChainLive(ctx context.Context, f *Factory, opts *ChainOptions, st *chainState) error {
	tokens := []string{strconv.FormatUint(uint64(st.UnderTok), 10)}
	for _, in := range st.Contracts.Options {
		tokens = append(tokens, strconv.FormatUint(uint64(in.InstrumentToken), 10))
	}
	// Tokens need no resolver: the chain already knows its instruments.
	_, tickerOpts, err := opts.Conn.setup(ctx, f, tokens, "")
	if err != nil {
		return err
	}
	board := newChainBoard(st)
	tickerOpts.Handler = board
	t, err := kite.NewTicker(tickerOpts)
	if err != nil {
		return err
	}
	subs := make([]uint32, 0, len(tokens))
	subs = append(subs, st.UnderTok)
	for _, in := range st.Contracts.Options {
		subs = append(subs, in.InstrumentToken)
	}
	if err := t.Subscribe(ctx, ticks.ModeFull, subs...); err != nil {
		return err
	}
	if opts.LiveFormat == output.NDJSON {
		return chainLiveNDJSON(ctx, f, opts, board, t)
	}
	return chainLiveTable(ctx, f, opts, board, t)
}

// chainLiveNDJSON prints the chain once, then a record for every strike a
// data message changes.
func chainLiveNDJSON(ctx context.Context, f *Factory, opts *ChainOptions, board *chainBoard, t *kite.Ticker) error {
	out := f.newStreamRecordWriter(output.NDJSON)
	write := func(strikes map[float64]bool) error {
		recs, _ := board.st.view(opts, opts.now())
		for _, r := range recs {
			if strikes != nil && !strikes[r.Strike] {
				continue
			}
			doc, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := out.WriteJSON(doc); err != nil {
				if output.ClosedPipe(err) {
					return errChainStdoutClosed
				}
				return err
			}
		}
		if err := out.Flush(); err != nil {
			return errChainStdoutClosed
		}
		return nil
	}
	board.mu.Lock()
	err := write(nil)
	board.emit = write
	board.mu.Unlock()
	if err != nil {
		return nil // the reader went away before the first record
	}
	err = t.Run(ctx)
	switch {
	case errors.Is(err, errChainStdoutClosed):
		return nil
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return context.Canceled
	}
	return tickerHint(err)
}

// chainLiveTable redraws the chain table in place, like kite watch, until
// q or Ctrl-C.
func chainLiveTable(ctx context.Context, f *Factory, opts *ChainOptions, board *chainBoard, t *kite.Ticker) error {
	screen, err := openScreen(f)
	if err != nil {
		return err
	}
	defer screen.restore()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go screen.keys(cancel)
	runErr := make(chan error, 1)
	go func() { runErr <- t.Run(ctx) }()
	redraw := time.NewTicker(250 * time.Millisecond)
	defer redraw.Stop()
	var frame bytes.Buffer
	color := f.IO.ColorEnabled()
	for {
		select {
		case err := <-runErr:
			return screen.end(ctx, err)
		case <-redraw.C:
			board.mu.Lock()
			changed, status := board.changed, board.status
			board.changed = false
			var recs []chainRecord
			var sum chainSummary
			if changed {
				recs, sum = board.st.view(opts, opts.now())
			}
			board.mu.Unlock()
			if !changed {
				continue
			}
			w, h := screen.size()
			frame.Reset()
			_ = writeChainTable(&frame, recs, sum, color)
			// As in watch: h lines at most, the last without a line feed,
			// so the title stays at the top of any terminal.
			lines := []string{fmt.Sprintf("kite chain · %s · %s · q to quit", time.Now().In(kite.IST).Format("15:04:05 MST"), status), sum.String()}
			lines = append(lines, strings.Split(strings.TrimSuffix(frame.String(), "\n"), "\n")...)
			lines = lines[:min(len(lines), max(h, 1))]
			dst := []byte("\x1b[H")
			for i, line := range lines {
				dst = appendLine(dst, line, w, i == len(lines)-1 && len(lines) == h)
			}
			dst = append(dst, "\x1b[J"...)
			if _, err := screen.out.Write(dst); err != nil {
				cancel(err)
			}
		}
	}
}
