// Package market is the sandbox's simulated market: its instrument
// universe, a deterministic seeded random walk that the WebSocket ticker
// and /quote read, and historical candles for any range and interval.
//
// It is pure (no I/O, no goroutines, no clock of its own): the sandbox
// server calls Step on its tick interval and reads ticks, quotes and candles
// from it, and the paper engine reads prices from it to fill orders. Being a
// pure function of (seed, universe, start time, the sequence of Steps) is
// what lets tests replay the market exactly.
//
// Two timelines meet here. History (Candles) is a closed-form model of
// (seed, token, trading day), so any range is cheap and every interval
// agrees with every other; it is anchored so that the close of the trading
// day before the start is each instrument's base price (the last_price of
// the instrument dump), which keeps listed option strikes around the money.
// The live walk (Step) starts, at New, from the model's state at that
// moment (today's open, high, low, volume so far and the previous close all
// come from the model's minutes) and then moves on its own seeded walk, so
// a sandbox ticking every millisecond still looks alive. Candles for the
// current day are the model's, not the live walk's.
//
// Futures and options whose underlying is in the universe do not walk:
// they are priced from the underlying, in history and live, so a NIFTY
// future tracks NIFTY 50 and its calls and puts move the right way.
package market

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
)

// state is one instrument's live market state, prices in segment units.
type state struct {
	p                     params
	last, open, high, low int64
	close                 int64 // the previous trading day's close
	lower, upper          int64 // circuit limits for the day
	volume, lastQty       int64
	turnover              float64 // Σ price × quantity, for the average price
	avg                   int64
	buyQty, sellQty       int64
	oi, oiHigh, oiLow     int64
	lastTrade, exchangeTS int64 // Unix seconds
	up                    bool  // the last trade was at the offer
	steps                 uint64
	r                     rng
	stepSigma             float64 // the walk's standard deviation per step, in ticks
	index, derivative     bool
	under                 int   // index of the underlying's state, -1 for an own walk
	day                   int64 // the IST day the state belongs to
}

// Market is the live simulated market. It is safe for concurrent use.
type Market struct {
	seed  int64
	insts []Instrument
	byTok map[uint32]int
	byKey map[string]int

	mu  sync.RWMutex
	st  []state
	now time.Time
}

// New builds the market for universe, with every instrument's state taken
// from the price model at now. The model is anchored at now: the previous
// trading day's close is each instrument's base price (as the last_price of
// Kite's dump is), so the same seed and the same day give the same prices,
// and options listed around the base price are around the money.
func New(seed int64, universe []Instrument, now time.Time) *Market {
	m := &Market{
		seed:  seed,
		insts: append([]Instrument(nil), universe...),
		byTok: make(map[uint32]int, len(universe)),
		byKey: make(map[string]int, len(universe)),
		st:    make([]state, len(universe)),
		now:   now,
	}
	for i := range m.insts {
		in := &m.insts[i]
		m.byTok[in.Token] = i
		m.byKey[in.Key()] = i
		day, _ := currentDay(sessions[sessionOf(uint8(in.Token))], now)
		m.st[i].p = newParams(seed, in, prevTradingDay(day))
		m.st[i].under = -1
	}
	// Derivatives follow their underlyings: link them once every
	// instrument has its parameters (a pointer into m.st stays valid, as
	// the slice never grows).
	for i := range m.insts {
		in := &m.insts[i]
		if j, ok := m.byTok[in.Underlying]; ok && in.Underlying != 0 && j != i && in.IsDerivative() && m.insts[j].Underlying == 0 {
			m.st[i].p.link(in, &m.st[j].p)
			m.st[i].under = j
		}
	}
	var g dayGen
	for i := range m.insts {
		m.initState(&m.st[i], &m.insts[i], now, &g)
	}
	return m
}

// currentDay is the trading day whose session a quote at now shows, and how
// many of its minutes have passed: today's minutes so far once the session
// has opened, else the whole of the previous trading day.
func currentDay(sess session, now time.Time) (day int64, minutes int) {
	d := dayNumber(now)
	t := now.In(IST)
	mins := t.Hour()*60 + t.Minute()
	if isTradingDay(d) && mins >= sess.start {
		return d, min(mins-sess.start+1, sess.minutes)
	}
	return prevTradingDay(d), sess.minutes
}

func (m *Market) initState(s *state, in *Instrument, now time.Time, g *dayGen) {
	p := &s.p
	day, k := currentDay(p.sess, now)
	mins := p.genDay(day, g)[:k]
	pd := prevTradingDay(day)
	*s = state{
		p:          s.p,
		under:      s.under,
		day:        day,
		index:      in.IsIndex(),
		derivative: in.IsDerivative(),
		close:      p.closeOn(pd),
		open:       mins[0].open,
		high:       mins[0].high,
		low:        mins[0].low,
		last:       mins[k-1].close,
		r:          rng{s: p.key ^ 0x5851f42d4c957f2d},
	}
	underClose := int64(0)
	if p.under != nil {
		underClose = p.under.dayClose(pd)
	}
	s.lower, s.upper = p.bandAfter(s.close, underClose)
	s.oiHigh, s.oiLow = mins[0].oi, mins[0].oi
	for _, c := range mins {
		s.high = max(s.high, c.high)
		s.low = min(s.low, c.low)
		s.volume += c.volume
		s.turnover += float64(c.close) * float64(c.volume)
		s.oiHigh = max(s.oiHigh, c.oi)
		s.oiLow = min(s.oiLow, c.oi)
	}
	s.oi = mins[k-1].oi
	if s.volume > 0 {
		s.avg = int64(math.Round(s.turnover / float64(s.volume)))
		s.lastQty = p.lot
	}
	end := dayStart(day).Add(time.Duration(p.sess.start+k) * time.Minute)
	if end.After(now) {
		end = now
	}
	s.lastTrade, s.exchangeTS = end.Unix(), now.Unix()
	if !s.index {
		// Pending quantities of the order book: a few minutes' volume
		// each side, not equal.
		bits := s.r.next()
		s.buyQty = int64(p.volume) * int64(30+bits%20)
		s.sellQty = int64(p.volume) * int64(30+bits>>8%20)
	}
	// A step moves about 0.04%·vol of the price, but at least now and then
	// a tick, so that cheap options move too.
	s.stepSigma = math.Max(0.6, 0.0004*p.vol*float64(s.last)/float64(p.tick))
}

// Instruments returns the universe (a copy).
func (m *Market) Instruments() []Instrument { return append([]Instrument(nil), m.insts...) }

// ByToken finds an instrument by its instrument token.
func (m *Market) ByToken(token uint32) (Instrument, bool) {
	i, ok := m.byTok[token]
	if !ok {
		return Instrument{}, false
	}
	return m.insts[i], true
}

// Lookup finds an instrument by exchange and trading symbol.
func (m *Market) Lookup(exchange, tradingsymbol string) (Instrument, bool) {
	i, ok := m.byKey[exchange+":"+tradingsymbol]
	if !ok {
		return Instrument{}, false
	}
	return m.insts[i], true
}

// Now is the time of the latest Step (or of New).
func (m *Market) Now() time.Time {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.now
}

// Circuit returns the day's lower and upper circuit limits of an instrument.
func (m *Market) Circuit(token uint32) (lower, upper int64, ok bool) {
	i, ok := m.byTok[token]
	if !ok {
		return 0, 0, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.st[i].lower, m.st[i].upper, true
}

// Step moves every instrument one step along its walk: a trade at a new
// price (within the circuit limits), volume, average price, order-book
// totals and, for derivatives, open interest.
func (m *Market) Step(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
	ts := now.Unix()
	// A session that has opened since the last step starts a new day.
	var day [len(sessions)]int64
	for k, ss := range sessions {
		day[k], _ = currentDay(ss, now)
	}
	for i := range m.st {
		s := &m.st[i]
		if d := day[s.p.sessIdx]; d != s.day {
			var underLast int64
			if s.under >= 0 {
				underLast = m.st[s.under].last
			}
			s.newDay(d, underLast)
		}
	}
	for i := range m.st {
		s := &m.st[i]
		if s.under >= 0 {
			s.follow(m.st[s.under].last)
		} else {
			s.walk()
		}
		s.trade(ts)
	}
}

// newDay starts a new trading day when the session opens, at the last
// price: it becomes the close the day's change and circuit limits are
// measured from. Between sessions the walk goes on (a sandbox is used at
// any hour) but the day's figures stay the last session's.
func (s *state) newDay(d, underLast int64) {
	s.day = d
	s.close = s.last
	s.open, s.high, s.low = s.last, s.last, s.last
	s.lower, s.upper = s.p.bandAfter(s.close, underLast)
	s.volume, s.turnover, s.avg, s.lastQty = 0, 0, 0, 0
	s.oiHigh, s.oiLow = s.oi, s.oi
}

// walk moves an instrument with no underlying one random step.
func (s *state) walk() {
	tick := s.p.tick
	// A gentle pull back towards the open keeps a long-running walk from
	// drifting onto a circuit limit and sticking there.
	pull := -float64(s.last-s.open) / float64(tick) * 0.002
	d := int64(math.Round(s.r.norm()*s.stepSigma + pull))
	s.move(s.last + d*tick)
}

// follow prices a derivative from its underlying's last price.
func (s *state) follow(underLast int64) {
	s.move(s.p.derive(float64(underLast), s.day))
}

func (s *state) move(to int64) {
	last := min(max(to, s.lower), s.upper)
	if last != s.last {
		s.up = last > s.last
	}
	s.last = last
	s.high = max(s.high, last)
	s.low = min(s.low, last)
}

// trade books the step's trade: quantity, volume, average price, book
// totals and open interest.
func (s *state) trade(ts int64) {
	last := s.last
	s.exchangeTS = ts
	s.steps++
	if s.index {
		return
	}
	bits := s.r.next()
	q := s.p.lot * int64(1+bits%20)
	s.lastQty = q
	s.volume += q
	s.turnover += float64(last) * float64(q)
	s.avg = int64(math.Round(s.turnover / float64(s.volume)))
	s.lastTrade = ts
	s.buyQty = max(s.p.lot, s.buyQty+s.p.lot*(int64(bits>>8&31)-15))
	s.sellQty = max(s.p.lot, s.sellQty+s.p.lot*(int64(bits>>16&31)-15))
	if s.derivative {
		s.oi = max(s.p.lot, s.oi+s.p.lot*(int64(bits>>24&15)-7))
		s.oiHigh = max(s.oiHigh, s.oi)
		s.oiLow = min(s.oiLow, s.oi)
	}
}

// Tick returns an instrument's current state as a tick of the given mode.
// Index tokens get index fields only (price, OHLC, change and, in full
// mode, the exchange timestamp), as Kite's index packets carry.
func (m *Market) Tick(token uint32, mode ticks.Mode) (ticks.Tick, bool) {
	i, ok := m.byTok[token]
	if !ok {
		return ticks.Tick{}, false
	}
	var t ticks.Tick
	m.mu.RLock()
	m.st[i].fill(&t, token, mode)
	m.mu.RUnlock()
	return t, true
}

// AppendTicks appends the ticks of tokens (each in the mode of the same
// index of modes) to dst. Unknown tokens are skipped. It takes the lock
// once and allocates nothing beyond dst's growth: this is the ticker's hot
// path.
func (m *Market) AppendTicks(dst []ticks.Tick, tokens []uint32, modes []ticks.Mode) []ticks.Tick {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, tok := range tokens {
		i, ok := m.byTok[tok]
		if !ok {
			continue
		}
		dst = append(dst, ticks.Tick{})
		m.st[i].fill(&dst[len(dst)-1], tok, modes[k])
	}
	return dst
}

func clamp32(v int64) int32 { return int32(min(max(v, math.MinInt32), math.MaxInt32)) }

func clampU32(v int64) uint32 { return uint32(min(max(v, 0), math.MaxUint32)) }

func (s *state) fill(t *ticks.Tick, token uint32, mode ticks.Mode) {
	t.Mode = mode
	t.InstrumentToken = token
	t.LastPrice = clamp32(s.last)
	if mode == ticks.ModeLTP {
		return
	}
	t.Open, t.High, t.Low, t.Close = clamp32(s.open), clamp32(s.high), clamp32(s.low), clamp32(s.close)
	if s.index {
		t.NetChange = clamp32(s.last - s.close)
		if mode == ticks.ModeFull {
			t.ExchangeTimestamp = uint32(s.exchangeTS)
		}
		return
	}
	t.LastTradedQuantity = clampU32(s.lastQty)
	t.AverageTradedPrice = clamp32(s.avg)
	t.VolumeTraded = clampU32(s.volume)
	t.TotalBuyQuantity = clampU32(s.buyQty)
	t.TotalSellQuantity = clampU32(s.sellQty)
	if mode != ticks.ModeFull {
		return
	}
	t.LastTradeTime = uint32(s.lastTrade)
	t.ExchangeTimestamp = uint32(s.exchangeTS)
	if s.derivative {
		t.OI, t.OIDayHigh, t.OIDayLow = clampU32(s.oi), clampU32(s.oiHigh), clampU32(s.oiLow)
	}
	s.depth(&t.Depth)
}

// below maps the low 16 bits of h onto [0, n) by multiplying, not
// dividing: this is the ticker's hot path.
func below(h uint64, n uint64) int64 { return int64((h & 0xFFFF) * n >> 16) }

// depth fills five bids below and five offers above the last price, one
// tick apart, the touch on the side the last trade took.
func (s *state) depth(d *ticks.Depth) {
	tick := s.p.tick
	bid, ask := s.last-tick, s.last
	if !s.up {
		bid, ask = s.last, s.last+tick
	}
	h := s.p.key ^ s.steps*0x9e3779b97f4a7c15
	for k := range 5 {
		// One hash a level: 16 bits each for the bid's quantity and
		// orders and the offer's.
		x := mix(h + uint64(k))
		bp := bid - int64(k)*tick
		if bp >= s.lower {
			d.Buy[k] = ticks.DepthItem{Price: clamp32(bp), Quantity: clampU32(s.p.lot * (1 + below(x, 40))), Orders: uint16(1 + below(x>>16, 12))}
		}
		ap := ask + int64(k)*tick
		if ap <= s.upper {
			d.Sell[k] = ticks.DepthItem{Price: clamp32(ap), Quantity: clampU32(s.p.lot * (1 + below(x>>32, 40))), Orders: uint16(1 + below(x>>48, 12))}
		}
	}
}

// Candle is one historical candle, prices in the instrument's segment units.
type Candle struct {
	Time                   time.Time
	Open, High, Low, Close int64
	Volume, OI             int64
}

// IntervalMinutes maps Kite's interval names to minutes (day → 0) and the
// longest range, in days, Kite serves in one request for the interval.
func IntervalMinutes(interval string) (minutes, maxDays int, ok bool) {
	switch interval {
	case "minute":
		return 1, 60, true
	case "3minute":
		return 3, 100, true
	case "5minute":
		return 5, 100, true
	case "10minute":
		return 10, 100, true
	case "15minute":
		return 15, 200, true
	case "30minute":
		return 30, 200, true
	case "60minute":
		return 60, 400, true
	case "day":
		return 0, 2000, true
	}
	return 0, 0, false
}

// Candles returns the candles of an instrument whose start time lies in
// [from, to] (day candles: whose day does), never later than the market's
// current time. A range longer than Kite serves for the interval (minute:
// 60 days, … day: 2000) is refused as Kite refuses it. Intraday candles are aligned to the session's open (09:15
// for equities, so 60minute candles start 09:15, 10:15, …) and aggregate the
// minute candles exactly; a day candle aggregates the whole day's minutes.
// OI is filled only when oi is true. Errors are *kite.Error InputExceptions.
func (m *Market) Candles(token uint32, interval string, from, to time.Time, oi bool) ([]Candle, error) {
	i, ok := m.byTok[token]
	if !ok {
		return nil, &kite.Error{Status: 400, ErrorType: kite.InputException, Message: "invalid token"}
	}
	n, maxDays, ok := IntervalMinutes(interval)
	if !ok {
		return nil, &kite.Error{Status: 400, ErrorType: kite.InputException, Message: fmt.Sprintf("invalid interval: %s", interval)}
	}
	if to.Before(from) {
		return nil, &kite.Error{Status: 400, ErrorType: kite.InputException, Message: "invalid from date: it is after the to date"}
	}
	if to.Sub(from) > time.Duration(maxDays)*24*time.Hour {
		return nil, &kite.Error{Status: 400, ErrorType: kite.InputException, Message: fmt.Sprintf("interval exceeds max limit: %d days", maxDays)}
	}
	m.mu.RLock()
	now := m.now
	m.mu.RUnlock()
	// The parameters never change after New, so they need no lock.
	return m.st[i].p.candles(n, from, to, now, oi, nil), nil
}

// candles appends to dst the n-minute candles (n = 0: day candles) starting
// in [from, to], cut at now.
func (p *params) candles(n int, from, to, now time.Time, oi bool, dst []Candle) []Candle {
	if now.Before(to) {
		to = now
	}
	if dst == nil && !to.Before(from) {
		// Room for every candle of the range (weekdays of it, at most).
		days := int(dayNumber(to)-dayNumber(from))*5/7 + 2
		per := 1
		if n > 0 {
			per = (p.sess.minutes + n - 1) / n
		}
		dst = make([]Candle, 0, days*per)
	}
	var g dayGen
	for d := dayNumber(from); d <= dayNumber(to); d++ {
		if !isTradingDay(d) {
			continue
		}
		open := dayStart(d).Add(time.Duration(p.sess.start) * time.Minute)
		// Only minutes that have started by now exist.
		avail := p.sess.minutes
		if e := int(now.Sub(open) / time.Minute); e < avail {
			if e < 0 {
				continue
			}
			avail = e + 1
		}
		mins := p.genDay(d, &g)[:avail]
		if n == 0 {
			c := aggregate(dayStart(d), mins)
			if !oi {
				c.OI = 0
			}
			dst = append(dst, c)
			continue
		}
		for k := 0; k < len(mins); k += n {
			t := open.Add(time.Duration(k) * time.Minute)
			if t.Before(from) || t.After(to) {
				continue
			}
			c := aggregate(t, mins[k:min(k+n, len(mins))])
			if !oi {
				c.OI = 0
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// aggregate folds minutes into one candle: open of the first, close (and
// OI) of the last, the highest high, the lowest low, the summed volume.
func aggregate(t time.Time, mins []minute) Candle {
	c := Candle{Time: t, Open: mins[0].open, High: mins[0].high, Low: mins[0].low}
	for _, x := range mins {
		c.High = max(c.High, x.high)
		c.Low = min(c.Low, x.low)
		c.Volume += x.volume
	}
	last := mins[len(mins)-1]
	c.Close, c.OI = last.close, last.oi
	return c
}
