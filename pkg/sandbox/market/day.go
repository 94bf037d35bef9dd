package market

import "math"

// dayRun generates a trading day's minute candles in order, one at a time.
// History generates whole days with it (genDay) and the live market
// advances it as the minutes pass, so a quote is exactly the day's candles
// so far: both are this one sequence.
//
// The day is a Brownian bridge in log space from the previous close to the
// day's close. Its random numbers come from splitmix64 read at an index
// (rngAt), so the minute i needs only the walk's running sum, not the
// numbers before it; the bridge's end (wEnd) is summed once a day.
type dayRun struct {
	p     *params
	d     int64
	n     int // minutes in the session
	i     int // minutes generated so far
	s0    uint64
	lower int64
	upper int64
	oi0   int64
	oi1   int64

	// An own walk.
	sigma, lp0, lp1 float64
	w, wEnd         float64
	closeP          int64
	open            int64 // the next minute's open

	// A derivative: the underlying's run, and its latest minute.
	under *dayRun

	m minute // the latest minute generated (own or mapped)
	u minute // for a derivative, the underlying's latest minute
}

// rngAt is the k-th output (from 1) of splitmix64 seeded with s0: rng{s0}
// called k times.
func rngAt(s0, k uint64) uint64 { return mix(s0 + k*0x9e3779b97f4a7c15) }

// start begins day d. It must only be called for trading days.
func (r *dayRun) start(p *params, d int64) {
	under := r.under
	*r = dayRun{p: p, d: d, n: p.sessOn(d).minutes, s0: p.key ^ uint64(d)*0x632be59bd9b4e019}
	pd := p.prevTrading(d)
	if p.hasOI {
		r.oi0, r.oi1 = p.dayOI(pd), p.dayOI(d)
	}
	if p.under != nil {
		r.lower, r.upper = p.bandAfter(p.closeOn(pd), p.under.dayClose(pd))
		if under == nil {
			under = &dayRun{}
		}
		under.start(p.under, d)
		r.under = under
		return
	}
	prevClose := p.dayClose(pd)
	r.closeP = p.dayClose(d)
	r.lower, r.upper = p.bandOf(prevClose)
	r.sigma = p.vol * 0.011 / math.Sqrt(float64(r.n))
	r.lp0, r.lp1 = math.Log(float64(prevClose)), math.Log(float64(r.closeP))
	for k := 1; k <= r.n; k++ {
		r.wEnd += normOf(rngAt(r.s0, uint64(k)))
	}
	r.open = r.clamp(p.roundTick(float64(prevClose) * math.Exp(r.sigma*2*normOf(rngAt(r.s0, uint64(r.n+1))))))
}

func (r *dayRun) clamp(v int64) int64 { return min(max(v, r.lower), r.upper) }

// next generates the next minute into r.m (and r.u for a derivative).
func (r *dayRun) next() {
	p, i, n := r.p, r.i, r.n
	r.i++
	if r.under != nil {
		// A derivative maps its underlying's minute through its price
		// function, which is monotonic, so highs and lows map to highs and
		// lows (swapped for a put).
		if r.under.i < r.under.n {
			r.under.next()
		}
		r.u = r.under.m
		m := p.mapMinute(r.u, r.d, r.lower, r.upper)
		p.activity(&m, i, n, rngAt(r.s0, uint64(i+1)), r.oi0, r.oi1)
		r.m = m
		return
	}
	r.w += normOf(rngAt(r.s0, uint64(i+1)))
	frac := float64(i+1) / float64(n)
	c := r.closeP
	if i < n-1 {
		c = r.clamp(p.roundTick(math.Exp(r.lp0 + (r.lp1-r.lp0)*frac + r.sigma*(r.w-frac*r.wEnd))))
	}
	bits := rngAt(r.s0, uint64(n+2+i))
	hi := max(r.open, c) + p.tick*int64(bits&3>>1)
	lo := min(r.open, c) - p.tick*int64(bits>>2&3>>1)
	m := minute{open: r.open, high: r.clamp(hi), low: max(r.clamp(lo), p.tick), close: c}
	p.activity(&m, i, n, bits, r.oi0, r.oi1)
	r.m = m
	r.open = c
}

// mapMinute prices a derivative's minute from its underlying's.
func (p *params) mapMinute(u minute, d, lower, upper int64) minute {
	clamp := func(v int64) int64 { return min(max(v, lower), upper) }
	m := minute{
		open:  clamp(p.derive(float64(u.open), d)),
		close: clamp(p.derive(float64(u.close), d)),
		high:  clamp(p.derive(float64(u.high), d)),
		low:   clamp(p.derive(float64(u.low), d)),
	}
	if p.kind == put {
		m.high, m.low = m.low, m.high
	}
	return m
}

// The minute in progress is shown at quarter-second steps: its price
// goes through subSteps+1 points, so a ticker stepping fast sees a few
// changes a second, as a liquid instrument's trades would give.
const subSteps = 240

// cutCache holds the running high and low of a minute's path up to a
// step, so the live market extends them as time passes instead of
// folding the path from the minute's start on every Step.
type cutCache struct {
	ok        bool
	day       int64
	minute    int
	step      int
	high, low int64
}

// cut is the latest minute as it stands a fraction frac (0 ≤ frac < 1) of
// the way through it (see pathCut), its volume the part traded so far, in
// whole lots. cut(1) is the whole minute. c, when not nil, caches the
// running extremes between calls for the same minute.
func (r *dayRun) cut(frac float64, c *cutCache) minute {
	if frac >= 1 {
		return r.m
	}
	p := r.p
	step := min(int(frac*subSteps), subSteps-1)
	if r.under != nil {
		// The underlying's path, priced through the derivative's
		// function (monotonic, so its extremes map to extremes).
		m := p.mapMinute(r.under.pathCut(step, c), r.d, r.lower, r.upper)
		m.volume = cutVolume(r.m.volume, p.lot, frac)
		m.oi = r.m.oi
		return m
	}
	m := r.pathCut(step, c)
	m.volume = cutVolume(r.m.volume, p.lot, frac)
	m.oi = r.m.oi
	return m
}

// pathCut is the latest minute's prices at a step of its path: from the
// open to its first extreme (the low when the minute closes up, else the
// high) by a third, to the other by two thirds, and on to the close, each
// step a tick or two off that line but inside the minute's range; the
// high and low are those reached so far.
func (r *dayRun) pathCut(step int, c *cutCache) minute {
	m := r.m
	idx := r.i - 1
	high, low, from := m.open, m.open, 1
	if c != nil && c.ok && c.day == r.d && c.minute == idx && c.step <= step {
		high, low, from = c.high, c.low, c.step+1
	}
	for j := from; j <= step; j++ {
		v := r.pathAt(j)
		high, low = max(high, v), min(low, v)
	}
	if c != nil {
		*c = cutCache{ok: true, day: r.d, minute: idx, step: step, high: high, low: low}
	}
	px := r.pathAt(step)
	return minute{open: m.open, high: high, low: low, close: px}
}

// pathAt is the price at step j of the latest minute's path.
func (r *dayRun) pathAt(j int) int64 {
	m, p := r.m, r.p
	first, second := m.low, m.high
	if m.close < m.open {
		first, second = m.high, m.low
	}
	const third = subSteps / 3
	var base int64
	switch {
	case j == 0:
		return m.open
	case j == third:
		return first
	case j == 2*third:
		return second
	case j >= subSteps:
		return m.close
	case j < third:
		base = p.lerpTick(m.open, first, float64(j)/third)
	case j < 2*third:
		base = p.lerpTick(first, second, float64(j-third)/third)
	default:
		base = p.lerpTick(second, m.close, float64(j-2*third)/third)
	}
	h := mix(r.s0 ^ uint64(r.i)<<24 ^ uint64(j)*0x9e3779b97f4a7c15)
	v := base + p.tick*(int64(h%5)-2)
	return min(max(v, m.low), m.high)
}

// lerpTick is the price a fraction t of the way from a to b, on a tick.
func (p *params) lerpTick(a, b int64, t float64) int64 {
	v := float64(a) + (float64(b)-float64(a))*t
	return int64(math.Round(v/float64(p.tick))) * p.tick
}

// cutVolume is the part of a minute's volume traded by frac, in whole lots.
func cutVolume(volume, lot int64, frac float64) int64 {
	return int64(frac*float64(volume/lot)) * lot
}
