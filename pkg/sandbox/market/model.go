package market

import (
	"math"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
)

// The price model. Every instrument's history is a pure function of
// (seed, token, trading day) and the anchor day (whose close is the base
// price): the day's close comes from smooth multi-scale value noise over
// the day number (so any day is computed in O(1), with no walk from an
// epoch), and the day's minutes are a Brownian bridge from the previous
// close to that close (so a day is generated in one pass). Larger candles
// are aggregated from the minutes, never generated separately, which is
// what makes every interval agree with every other. Derivatives map their
// underlying's minutes through their price function instead.

// rng is splitmix64: tiny, fast, and good enough for prices.
type rng struct{ s uint64 }

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// normOf maps 64 random bits to an approximately standard normal number
// (Irwin–Hall of four uniforms, rescaled): bounded tails keep the walk from
// ever jumping absurdly.
func normOf(v uint64) float64 {
	a := float64(v & 0xFFFF)
	b := float64(v >> 16 & 0xFFFF)
	c := float64(v >> 32 & 0xFFFF)
	d := float64(v >> 48)
	return ((a+b+c+d)/65536 - 2) * math.Sqrt(3)
}

// unit is uniform in [-1, 1], a pure function of its key.
func unit(key uint64) float64 { return float64(mix(key)>>11)/(1<<52) - 1 }

// session is a segment's trading hours, in minutes after midnight IST.
type session struct{ start, minutes int }

// The sessions, simply: equities, equity derivatives and indices 09:15–15:30
// (NSE, BSE, NFO, BFO), currency 09:00–17:00 (CDS, BCD), commodities
// 09:00–23:30 (MCX). Special sessions and holidays are not modelled.
var sessions = [...]session{
	{9*60 + 15, 375},
	{9 * 60, 480},
	{9 * 60, 870},
}

// sessionOf is the index in sessions of a segment's session.
func sessionOf(seg uint8) int {
	switch seg {
	case ticks.SegmentCDS, ticks.SegmentBCD:
		return 1
	case ticks.SegmentMCX:
		return 2
	}
	return 0
}

// params are an instrument's model constants, derived once from the
// instrument and the seed.
type params struct {
	key     uint64 // mixes seed and token
	base    float64
	tick    int64 // the walk's price step: the tick size, 0.05 for indices
	lot     int64
	vol     float64 // volatility multiplier
	band    float64 // circuit band, a fraction of the previous close
	sess    session
	sessIdx int // index in sessions
	// alwaysFrom is the first day traded round the clock (AlwaysOpen):
	// from it on every day is a trading day with a 24-hour session.
	alwaysFrom int64
	volume     float64 // mean volume per minute, in quantity units
	hasOI      bool
	hasVol     bool
	baseOI     float64
	divisor    float64
	anchor     float64 // level(anchor day): the base price is the close that day

	// A derivative with an underlying in the universe is priced from the
	// underlying's path instead of a walk of its own: a future at a fixed
	// premium (its base price over the underlying's), an option by Black's
	// formula on its forward at the volatility surface's level (see
	// surface.go). Volume and OI stay its own.
	under     *params
	underTok  uint32
	kind      derivKind
	factor    float64 // future / underlying, from their base prices
	strike    float64 // segment units
	expiryDay int64
	annualVol float64 // the underlying's yearly volatility, as a fraction
	// carry is an option's forward over its underlying: the future of its
	// expiry's factor, 1 on a future, 0 for s·e^{rT} (see carryForward).
	carry float64
}

type derivKind uint8

const (
	ownWalk derivKind = iota
	future
	call
	put
)

// newParams derives an instrument's constants, anchored so that the close
// of the trading day before the one a quote at now shows is its base price.
func newParams(seed int64, in *Instrument, now time.Time, alwaysFrom int64) params {
	p := params{
		key:        mix(uint64(seed)*0x9e3779b97f4a7c15 ^ uint64(in.Token)),
		base:       float64(in.BasePrice),
		tick:       in.TickSize,
		lot:        max(in.LotSize, 1),
		vol:        1,
		band:       0.10,
		sessIdx:    sessionOf(uint8(in.Token)),
		alwaysFrom: alwaysFrom,
		hasOI:      in.IsDerivative(),
		hasVol:     !in.IsIndex(),
		divisor:    float64(in.Divisor()),
	}
	p.sess = sessions[p.sessIdx]
	if p.tick <= 0 {
		p.tick = 5 // indices move in 0.05 steps
	}
	p.vol = volatility(in)
	switch {
	case in.IsIndex():
		p.band = 0.20
	case in.InstrumentType == "CE" || in.InstrumentType == "PE":
		p.band = 0.40
	case in.Exchange == "CDS" || in.Exchange == "BCD":
		p.band = 0.05
	}
	if p.base < float64(p.tick) {
		p.base = float64(p.tick)
	}
	day, _, _, _ := p.position(now)
	p.anchor = p.level(p.prevTrading(day))
	if p.hasVol {
		// About ₹40 lakh traded a minute, in whole lots.
		mult := float64(max(in.Multiplier, 1))
		lots := math.Max(1, math.Round(4e6/(p.base/p.divisor*mult*float64(p.lot))))
		p.volume = lots * float64(p.lot)
		p.baseOI = lots * 200
	}
	return p
}

// volatility is an instrument's volatility relative to a stock's: indices
// move less, currencies much less, options on their own walk much more.
func volatility(in *Instrument) float64 {
	switch {
	case in.IsIndex():
		return 0.6
	case in.InstrumentType == "CE" || in.InstrumentType == "PE":
		return 3
	case in.Exchange == "CDS" || in.Exchange == "BCD":
		return 0.3
	}
	return 1
}

// link makes p a derivative priced from under; carry is an option's
// forward over its underlying (see params.carry).
func (p *params) link(in *Instrument, under *params, carry float64) {
	p.under = under
	p.underTok = in.Underlying
	p.carry = carry
	p.annualVol = 0.16 * under.vol
	switch in.InstrumentType {
	case "FUT":
		p.kind = future
		p.factor = float64(in.BasePrice) / under.base
	case "CE", "PE":
		p.kind = call
		if in.InstrumentType == "PE" {
			p.kind = put
		}
		p.strike = float64(in.Strike)
		p.expiryDay = dayNumber(in.Expiry)
		p.shapeActivity()
	}
}

// derive is p's price when its underlying is at s on day d.
func (p *params) derive(s float64, d int64) int64 {
	switch p.kind {
	case future:
		return p.roundTick(s * p.factor)
	case call, put:
		return p.roundTick(p.model(s, d).Premium)
	}
	return p.roundTick(s)
}

// closeOn is the close of trading day d.
func (p *params) closeOn(d int64) int64 {
	if p.under != nil {
		return p.derive(float64(p.under.dayClose(d)), d)
	}
	return p.dayClose(d)
}

// bandAfter is the circuit band of the day after a close: ±band of the
// close; for an option, from a tick up to the close plus the most its
// underlying can gain (an option never moves more than its underlying).
func (p *params) bandAfter(closeP, underClose int64) (lower, upper int64) {
	if p.kind == call || p.kind == put {
		return p.tick, closeP + int64(float64(underClose)*p.under.band)/p.tick*p.tick
	}
	return p.bandOf(closeP)
}

// roundTick rounds a price to the nearest tick, at least one tick.
func (p *params) roundTick(v float64) int64 {
	t := int64(math.Round(v/float64(p.tick))) * p.tick
	return max(t, p.tick)
}

// bandOf is the circuit band around a previous close, rounded inwards to
// ticks.
func (p *params) bandOf(prevClose int64) (lower, upper int64) {
	c := float64(prevClose)
	lower = int64(math.Ceil(c*(1-p.band)/float64(p.tick))) * p.tick
	upper = int64(math.Floor(c*(1+p.band)/float64(p.tick))) * p.tick
	return max(lower, p.tick), upper
}

// noise is smooth value noise over x at the given scale (in days).
func (p *params) noise(x float64, octave uint64, scale float64) float64 {
	s := x / scale
	i := math.Floor(s)
	f := s - i
	f = f * f * (3 - 2*f)
	k := p.key ^ octave*0xd1b54a32d192ed03
	a := unit(k ^ uint64(int64(i))*0x9e3779b97f4a7c15)
	b := unit(k ^ uint64(int64(i)+1)*0x9e3779b97f4a7c15)
	return a + (b-a)*f
}

// level is the log price (relative to the base) noise of day d.
func (p *params) level(d int64) float64 {
	x := float64(d)
	return 0.012*unit(p.key^uint64(d)*0xa24baed4963ee407) +
		0.03*p.noise(x, 1, 3) + 0.05*p.noise(x, 2, 17) +
		0.08*p.noise(x, 3, 90) + 0.12*p.noise(x, 4, 400)
}

// dayClose is the close of trading day d (days since 1970-01-01): the base
// price on the anchor day, and from there a log move of at most about
// 7%·vol a day, inside every circuit band.
func (p *params) dayClose(d int64) int64 {
	return p.roundTick(p.base * math.Exp(p.vol*(p.level(d)-p.anchor)))
}

// dayOI is the open interest at the close of day d.
func (p *params) dayOI(d int64) int64 {
	lots := math.Round(p.baseOI * (1 + 0.3*p.noise(float64(d), 5, 10)))
	return int64(lots) * p.lot
}

// dayNumber is the day of t in IST, counted from 1970-01-01.
func dayNumber(t time.Time) int64 {
	_, off := t.In(IST).Zone()
	return (t.Unix() + int64(off)) / 86400
}

// dayStart is midnight IST of day d.
func dayStart(d int64) time.Time { return time.Unix(d*86400-int64(5*3600+30*60), 0).In(IST) }

// isTradingDay: weekdays (1970-01-01 was a Thursday). Holidays are not modelled.
func isTradingDay(d int64) bool {
	wd := ((d+4)%7 + 7) % 7 // 0 = Sunday
	return wd != 0 && wd != 6
}

func prevTradingDay(d int64) int64 {
	d--
	for !isTradingDay(d) {
		d--
	}
	return d
}

// minute is one generated minute candle, prices in segment units.
type minute struct {
	open, high, low, close, volume, oi int64
}

// dayGen holds the buffers of day generation, reused across days.
type dayGen struct {
	own []minute
	run dayRun
}

// activity fills a minute's volume and open interest.
func (p *params) activity(m *minute, i, n int, bits uint64, oi0, oi1 int64) {
	frac := float64(i+1) / float64(n)
	if p.hasVol {
		// U-shaped intraday volume: busy at the open and the close.
		x := frac - 0.5
		shape := 0.6 + 3.2*x*x
		lots := math.Round(p.volume / float64(p.lot) * shape * (0.5 + float64(bits>>8&0xFFFF)/65536))
		m.volume = max(int64(lots), 1) * p.lot
	}
	if p.hasOI {
		m.oi = oi0 + int64(math.Round(float64(oi1-oi0)*frac/float64(p.lot)))*p.lot
	}
}

// shapeActivity spreads an option's open interest and volume across
// strikes as on an exchange: they gather near the money, most just out of
// it (calls above the underlying's base price, puts below: what writers
// sell), thinning to a tenth in the wings. So PCR and max pain computed
// from the sandbox follow where the money is, not noise alone.
func (p *params) shapeActivity() {
	m := math.Log(p.strike / p.under.base) // > 0: a call out of the money
	if p.kind == put {
		m = -m
	}
	const peak, width = 0.006, 0.008
	w := math.Exp(-(m - peak) * (m - peak) / (2 * width * width))
	// newParams sized the activity by the premium (₹40 lakh a minute):
	// size it by an at-the-money premium instead, 2% of the underlying,
	// or the cheap wings would hold the most lots.
	perPremium := p.base / (0.02 * p.under.base)
	p.baseOI = math.Max(1, math.Round(p.baseOI*perPremium*(0.1+1.4*w)/200)) * 200
	lots := math.Max(1, math.Round(p.volume/float64(p.lot)*perPremium*(0.2+1.2*w)))
	p.volume = lots * float64(p.lot)
}
