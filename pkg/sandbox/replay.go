package sandbox

import (
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// ReplaySource is a recorded day for the sandbox to serve
// (Options.Replay): the instruments it recorded and its frames in order.
type ReplaySource interface {
	// Instruments are the recorded tokens' meaning, added to the universe
	// (a token the universe has under another symbol is replaced).
	Instruments() []recording.Instrument
	// Next is the next frame, io.EOF at the end.
	Next() (recording.Frame, error)
}

// replayState is what the replay shares with the ticker: whether a client
// has subscribed yet (the replay starts then, so a client that connects
// after the sandbox starts sees the day from its beginning).
type replayState struct {
	once    sync.Once
	started chan struct{}
}

func (r *replayState) subscribed() { r.once.Do(func() { close(r.started) }) }

// replayInstruments are a replay's universe entries; none without one.
func replayInstruments(src ReplaySource) []market.Instrument {
	if src == nil {
		return nil
	}
	return recordedInstruments(src.Instruments())
}

// recordedInstruments turns a recording's mapping into universe entries.
// Their model prices are a placeholder: the first recorded tick replaces
// them before anything is served.
func recordedInstruments(recs []recording.Instrument) []market.Instrument {
	out := make([]market.Instrument, 0, len(recs))
	for _, r := range recs {
		div := float64(ticks.Divisor(uint8(r.Token)))
		in := market.Instrument{
			Token: r.Token, ExchangeToken: r.Token >> 8,
			Tradingsymbol: r.Tradingsymbol, Name: r.Name,
			Strike: int64(math.Round(r.Strike * div)), TickSize: int64(math.Round(r.TickSize * div)),
			LotSize: int64(r.LotSize), InstrumentType: r.InstrumentType, Segment: r.Segment, Exchange: r.Exchange,
			BasePrice: int64(100 * div), Multiplier: 1,
		}
		if t, err := time.ParseInLocation(time.DateOnly, r.Expiry, market.IST); err == nil {
			in.Expiry = t
		}
		out = append(out, in)
	}
	return out
}

// mergeUniverse adds the recorded instruments to the universe: a token
// already there for the same symbol keeps the universe's entry (its model
// is richer); one there for another symbol is replaced.
func mergeUniverse(universe, recorded []market.Instrument) []market.Instrument {
	at := make(map[uint32]int, len(universe))
	for i, in := range universe {
		at[in.Token] = i
	}
	for _, r := range recorded {
		i, ok := at[r.Token]
		switch {
		case !ok:
			at[r.Token] = len(universe)
			universe = append(universe, r)
		case universe[i].Exchange != r.Exchange || universe[i].Tradingsymbol != r.Tradingsymbol:
			universe[i] = r
		}
	}
	return universe
}

// runReplay serves the recording: each binary message, re-stamped to now,
// becomes the market's state for its instruments at its recorded pace from
// the first subscription on, and goes out to the ticker's subscribers; the
// paper engine matches at the recorded prices as they come.
func (s *Server) runReplay() {
	src := s.opts.Replay
	var (
		first, offset int64 // first message's receive time; re-stamp shift in seconds
		wall0         time.Time
		t             ticks.Tick
		toks          []uint32
		n             int
	)
	for {
		fr, err := src.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.log.Warn("replay stopped early", "err", err)
			}
			s.log.Info("replay finished: prices stay at the last recorded ticks", "messages", n)
			return
		}
		if fr.Kind != recording.KindBinary {
			continue
		}
		if n == 0 {
			first = fr.Recv
		} else {
			if n == 1 {
				// The day starts at the first subscription.
				select {
				case <-s.ctx.Done():
					return
				case <-s.replay.started:
				}
				wall0 = time.Now()
				offset = wall0.Unix() - first/1e9
				s.log.Info("replay started")
			}
			if !s.sleepUntil(wall0.Add(time.Duration(fr.Recv - first))) {
				return
			}
		}
		if n == 0 {
			offset = time.Now().Unix() - first/1e9
		}
		n++
		toks = toks[:0]
		it := ticks.NewIter(fr.Data)
		for it.Next(&t) {
			if t.LastTradeTime != 0 {
				t.LastTradeTime = uint32(int64(t.LastTradeTime) + offset)
			}
			if t.ExchangeTimestamp != 0 {
				t.ExchangeTimestamp = uint32(int64(t.ExchangeTimestamp) + offset)
			}
			if s.world.market.SetRecorded(t) {
				toks = append(toks, t.InstrumentToken)
			}
		}
		s.world.paper.Match(s.opts.MarketClock())
		s.ticker.replayed(toks)
	}
}

// sleepUntil waits for t; false when the server closes first.
func (s *Server) sleepUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return s.ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-s.ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// replayed tells every connection subscribed to some of toks to send
// their new state.
func (h *tickerHub) replayed(toks []uint32) {
	h.each(func(c *tickConn) {
		c.mu.Lock()
		hit := false
		for _, t := range toks {
			if _, ok := c.idx[t]; ok {
				if c.dirty == nil {
					c.dirty = map[uint32]bool{}
				}
				c.dirty[t], hit = true, true
			}
		}
		c.mu.Unlock()
		if hit {
			c.nudge()
		}
	})
}

// replayTicks appends, in subscription order, the ticks a replaying
// connection owes: recorded instruments that changed since its last
// message, and new subscriptions' first ticks.
func (c *tickConn) replayTicks(dst []ticks.Tick, toks []uint32, modes []ticks.Mode) ([]ticks.Tick, []uint32, []ticks.Mode) {
	toks, modes = toks[:0], modes[:0]
	c.mu.Lock()
	for i, t := range c.tokens {
		if c.dirty[t] || c.fresh[t] {
			toks = append(toks, t)
			modes = append(modes, c.modes[i])
		}
	}
	clear(c.dirty)
	clear(c.fresh)
	c.mu.Unlock()
	return c.hub.s.world.market.AppendTicks(dst, toks, modes), toks, modes
}
