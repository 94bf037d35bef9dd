package market

import (
	"math"
	"time"
)

// state is one instrument's live market state, prices in segment units:
// the model's day so far, as of the latest Step.
type state struct {
	p                 params
	index, derivative bool

	// The day being shown and its minutes: run has generated them up to
	// the one in progress; agg folds the complete ones.
	day          int64
	run          dayRun
	cut          cutCache // the minute in progress's extremes so far
	done         int      // complete minutes, folded into agg
	agg          minute   // open, high, low, close and volume of the complete minutes
	aggTurnover  float64  // Σ close × volume of the complete minutes
	aggOIHigh    int64
	aggOILow     int64
	open         bool  // the session is open
	close        int64 // the previous trading day's close
	lower, upper int64 // circuit limits for the day

	// The day so far, the minute in progress included.
	last, dayOpen, high, low int64
	volume, lastQty          int64
	avg                      int64
	buyQty, sellQty          int64
	oi, oiHigh, oiLow        int64
	lastTrade, exchangeTS    int64 // Unix seconds
	up                       bool  // the last trade was at the offer
	steps                    uint64
	r                        rng
}

// where is a session's position at a moment (see params.position).
type where struct {
	day  int64
	done int
	frac float64
	open bool
}

// advance brings every instrument to now. m.mu must be held (or m not yet
// shared). Instruments of one session share a position, computed once.
func (m *Market) advance(now time.Time) {
	var pos [len(sessions)]where
	var known [len(sessions)]bool
	for i := range m.st {
		s := &m.st[i]
		k := s.p.sessIdx
		if !known[k] {
			d, done, frac, open := s.p.position(now)
			pos[k], known[k] = where{d, done, frac, open}, true
		}
		s.advance(now, pos[k])
	}
}

// advance moves the state to now, at position w.
func (s *state) advance(now time.Time, w where) {
	p := &s.p
	first := s.day < 0
	if w.day != s.day {
		s.startDay(w.day)
	}
	for s.done < w.done {
		if s.run.i == s.done {
			s.run.next()
		}
		s.fold(s.run.m)
	}
	var part minute
	if w.open {
		if s.run.i == s.done {
			s.run.next()
		}
		part = s.run.cut(w.frac, &s.cut)
	}
	prevLast, prevVol := s.last, s.volume
	s.open = w.open

	// The day so far: the complete minutes, then the part of the one in
	// progress.
	day := s.agg
	turnover := s.aggTurnover
	oiHigh, oiLow := s.aggOIHigh, s.aggOILow
	switch {
	case w.open && s.done == 0:
		day = part
		oiHigh, oiLow = part.oi, part.oi
	case w.open:
		day.high, day.low = max(day.high, part.high), min(day.low, part.low)
		day.close, day.volume, day.oi = part.close, day.volume+part.volume, part.oi
		oiHigh, oiLow = max(oiHigh, part.oi), min(oiLow, part.oi)
	}
	if w.open {
		turnover += float64(part.close) * float64(part.volume)
	}
	s.last, s.dayOpen, s.high, s.low = day.close, day.open, day.high, day.low
	s.volume = day.volume
	s.avg = 0
	if s.volume > 0 {
		s.avg = int64(math.Round(turnover / float64(s.volume)))
	}
	if p.hasOI {
		s.oi, s.oiHigh, s.oiLow = day.oi, oiHigh, oiLow
	}
	if s.last != prevLast && !first {
		s.up = s.last > prevLast
	}

	if !w.open {
		// Closed: the last session's figures, stamped with its close.
		end := p.sessionEnd(w.day).Unix()
		s.lastTrade, s.exchangeTS = end, end
		if s.lastQty == 0 && s.volume > 0 {
			s.lastQty = p.lot
		}
		if first && !s.index {
			s.bookTotals()
		}
		return
	}
	ts := now.Unix()
	s.exchangeTS = ts
	s.steps++
	if s.index {
		return
	}
	switch {
	case s.volume > prevVol && !first && s.lastTrade != 0:
		s.lastQty, s.lastTrade = s.volume-prevVol, ts
	case first || s.lastTrade == 0:
		s.lastQty, s.lastTrade = min(p.lot, s.volume), ts
	}
	s.bookTotals()
}

// bookTotals moves the order book's pending quantities a little: they are
// not part of the candles, so they walk on their own.
func (s *state) bookTotals() {
	p := &s.p
	bits := s.r.next()
	if s.buyQty == 0 {
		// A few minutes' volume each side, not equal.
		s.buyQty = int64(p.volume) * int64(30+bits%20)
		s.sellQty = int64(p.volume) * int64(30+bits>>8%20)
		return
	}
	s.buyQty = max(p.lot, s.buyQty+p.lot*(int64(bits>>8&31)-15))
	s.sellQty = max(p.lot, s.sellQty+p.lot*(int64(bits>>16&31)-15))
}

// startDay begins showing trading day d.
func (s *state) startDay(d int64) {
	p := &s.p
	s.day = d
	s.run.start(p, d)
	s.done = 0
	s.agg, s.aggTurnover, s.aggOIHigh, s.aggOILow = minute{}, 0, 0, 0
	pd := p.prevTrading(d)
	s.close = p.closeOn(pd)
	underClose := int64(0)
	if p.under != nil {
		underClose = p.under.dayClose(pd)
	}
	s.lower, s.upper = p.bandAfter(s.close, underClose)
	s.lastTrade, s.lastQty = 0, 0
}

// fold adds a complete minute to the day.
func (s *state) fold(m minute) {
	if s.done == 0 {
		s.agg = m
		s.aggOIHigh, s.aggOILow = m.oi, m.oi
	} else {
		s.agg.high, s.agg.low = max(s.agg.high, m.high), min(s.agg.low, m.low)
		s.agg.close, s.agg.oi = m.close, m.oi
		s.agg.volume += m.volume
		s.aggOIHigh, s.aggOILow = max(s.aggOIHigh, m.oi), min(s.aggOILow, m.oi)
	}
	s.aggTurnover += float64(m.close) * float64(m.volume)
	s.done++
}
