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

// cut is the latest minute as it stands a fraction frac (0 ≤ frac < 1) of
// the way through it: the price has gone from the open to its first
// extreme (the low when the minute closes up, else the high) at a third,
// to the other at two thirds, and on to the close; the high and low are
// those reached so far, the volume the part traded so far, in whole lots.
// cut(1) is the whole minute.
func (r *dayRun) cut(frac float64) minute {
	if frac >= 1 {
		return r.m
	}
	p := r.p
	if r.under != nil {
		m := p.mapMinute(r.under.p.pathCut(r.u, frac), r.d, r.lower, r.upper)
		m.volume = cutVolume(r.m.volume, p.lot, frac)
		m.oi = r.m.oi
		return m
	}
	m := p.pathCut(r.m, frac)
	m.oi = r.m.oi
	return m
}

// pathCut is the own-walk part of cut.
func (p *params) pathCut(m minute, frac float64) minute {
	first, second := m.low, m.high
	if m.close < m.open {
		first, second = m.high, m.low
	}
	var px int64
	out := minute{open: m.open, volume: cutVolume(m.volume, p.lot, frac)}
	out.high, out.low = m.open, m.open
	switch {
	case frac < 1.0/3:
		px = p.lerpTick(m.open, first, frac*3)
	case frac < 2.0/3:
		out.high, out.low = max(out.high, first), min(out.low, first)
		px = p.lerpTick(first, second, frac*3-1)
	default:
		out.high, out.low = max(out.high, first, second), min(out.low, first, second)
		px = p.lerpTick(second, m.close, frac*3-2)
	}
	out.close = px
	out.high, out.low = max(out.high, px), min(out.low, px)
	return out
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
