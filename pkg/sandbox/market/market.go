// Package market is the sandbox's simulated market: its instrument
// universe, a deterministic seeded price model that the WebSocket ticker,
// /quote and the historical API all read, and a market clock.
//
// It is pure (no I/O, no goroutines, no clock of its own): the sandbox
// server calls Step with the time on its tick interval and reads ticks,
// quotes and candles from it, and the paper engine reads prices from it to
// fill orders. Being a pure function of (seed, universe, start time, hours,
// the time of the latest Step) is what lets tests replay the market exactly.
//
// There is one timeline. Every instrument's history is a closed-form model
// of (seed, token, trading day) made of minute candles, so any range is
// cheap and every interval agrees with every other; it is anchored so that
// the close of the trading day before the start is each instrument's base
// price (the last_price of the instrument dump), which keeps listed option
// strikes around the money. The live market is the same model read at the
// time of the latest Step: the day's open, high, low, volume, average price
// and open interest are its minute candles so far, and the last price moves
// through the minute in progress (see dayRun.cut), so a quote, a tick and
// the day's candle always agree. Candles are cut at the same moment.
//
// Hours say when that clock trades: RealHours follows the IST sessions of
// each segment on weekdays, and nothing moves outside them; AlwaysOpen
// trades round the clock from the start day on (see Hours).
//
// Futures and options whose underlying is in the universe do not walk:
// they are priced from the underlying, in history and live, so a NIFTY
// future tracks NIFTY 50 and its calls and puts move the right way.
package market

import (
	"math"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
)

// Market is the live simulated market. It is safe for concurrent use.
type Market struct {
	seed  int64
	hours Hours
	insts []Instrument
	byTok map[uint32]int
	byKey map[string]int

	mu  sync.RWMutex
	st  []state
	now time.Time
	rec map[uint32]ticks.Tick // recorded state that overrides the model (recorded.go)
}

// New builds the market for universe with real trading hours, with every
// instrument's state taken from the price model at now (see NewWithHours).
func New(seed int64, universe []Instrument, now time.Time) *Market {
	return NewWithHours(seed, universe, now, RealHours)
}

// NewWithHours builds the market for universe trading in the given hours,
// with every instrument's state taken from the price model at now. The
// model is anchored at now: the previous trading day's close is each
// instrument's base price (as the last_price of Kite's dump is), so the
// same seed and the same day give the same prices, and options listed
// around the base price are around the money.
func NewWithHours(seed int64, universe []Instrument, now time.Time, hours Hours) *Market {
	m := &Market{
		seed:  seed,
		hours: hours,
		insts: append([]Instrument(nil), universe...),
		byTok: make(map[uint32]int, len(universe)),
		byKey: make(map[string]int, len(universe)),
		st:    make([]state, len(universe)),
		now:   now,
	}
	alwaysFrom := int64(never)
	if hours == AlwaysOpen {
		alwaysFrom = dayNumber(now)
	}
	for i := range m.insts {
		in := &m.insts[i]
		m.byTok[in.Token] = i
		m.byKey[in.Key()] = i
		m.st[i].p = newParams(seed, in, now, alwaysFrom)
	}
	// Derivatives follow their underlyings: link them once every
	// instrument has its parameters (a pointer into m.st stays valid, as
	// the slice never grows).
	for i := range m.insts {
		in := &m.insts[i]
		if j, ok := m.byTok[in.Underlying]; ok && in.Underlying != 0 && j != i && in.IsDerivative() && m.insts[j].Underlying == 0 {
			m.st[i].p.link(in, &m.st[j].p, m.optionCarry(in, j))
		}
	}
	for i := range m.insts {
		s := &m.st[i]
		s.index, s.derivative = m.insts[i].IsIndex(), m.insts[i].IsDerivative()
		s.r = rng{s: s.p.key ^ 0x5851f42d4c957f2d}
		s.day = -1
	}
	m.advance(now)
	return m
}

// Hours are the market's trading hours.
func (m *Market) Hours() Hours { return m.hours }

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

// optionCarry is the forward factor of option in on underlying j (see
// params.carry), as kite chain picks the model: an option on a future is
// on that future (1); an index option with a future of its own expiry is
// priced on that future's factor; others (stock options, index weeklies)
// on s·e^{rT} (0).
func (m *Market) optionCarry(in *Instrument, j int) float64 {
	if in.InstrumentType != "CE" && in.InstrumentType != "PE" {
		return 0
	}
	if m.insts[j].InstrumentType == "FUT" {
		return 1
	}
	if k, ok := m.byKey[in.Exchange+":"+monthlySymbol(in.Name, in.Expiry)+"FUT"]; ok && m.insts[j].IsIndex() && m.insts[k].Expiry.Equal(in.Expiry) && m.insts[k].Underlying == m.insts[j].Token {
		return float64(m.insts[k].BasePrice) / m.st[j].p.base
	}
	return 0
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

// Step moves the market to now: every instrument's state becomes the
// model's at that moment. Within a session that is a trade (volume, the
// average price, the order book's totals, open interest) and a price along
// the minute in progress; outside one, nothing changes.
func (m *Market) Step(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
	m.advance(now)
}

// Open reports whether an instrument's session is open at the time of the
// latest Step.
func (m *Market) Open(token uint32) bool {
	i, ok := m.byTok[token]
	if !ok {
		return false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.st[i].open
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
	m.fill(i, &t, token, mode)
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
		m.fill(i, &dst[len(dst)-1], tok, modes[k])
	}
	return dst
}

// AppendOpenTicks is AppendTicks for a feed that is quiet outside trading
// hours: it leaves out instruments whose session is closed, unless fresh
// (a subscription's first tick) says to send them.
func (m *Market) AppendOpenTicks(dst []ticks.Tick, tokens []uint32, modes []ticks.Mode, fresh func(uint32) bool) []ticks.Tick {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, tok := range tokens {
		i, ok := m.byTok[tok]
		if !ok || !m.st[i].open && !fresh(tok) {
			continue
		}
		dst = append(dst, ticks.Tick{})
		m.fill(i, &dst[len(dst)-1], tok, modes[k])
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
	t.Open, t.High, t.Low, t.Close = clamp32(s.dayOpen), clamp32(s.high), clamp32(s.low), clamp32(s.close)
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
