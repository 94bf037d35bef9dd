package market

import (
	"time"

	"github.com/kitecli/kite/pkg/sandbox/apierr"
)

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
// OI is filled only when oi is true. Errors are *apierr.Error InputExceptions.
func (m *Market) Candles(token uint32, interval string, from, to time.Time, oi bool) ([]Candle, error) {
	i, ok := m.byTok[token]
	if !ok {
		return nil, apierr.Input("invalid token")
	}
	n, maxDays, ok := IntervalMinutes(interval)
	if !ok {
		return nil, apierr.Input("invalid interval: %s", interval)
	}
	if to.Before(from) {
		return nil, apierr.Input("invalid from date: it is after the to date")
	}
	if to.Sub(from) > time.Duration(maxDays)*24*time.Hour {
		return nil, apierr.Input("interval exceeds max limit: %d days", maxDays)
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
			per = (p.sessOn(dayNumber(to)).minutes + n - 1) / n
		}
		dst = make([]Candle, 0, days*per)
	}
	var g dayGen
	for d := dayNumber(from); d <= dayNumber(to); d++ {
		if !p.trading(d) {
			continue
		}
		mins := p.minutesOf(d, now, &g)
		if len(mins) == 0 {
			continue
		}
		open := dayStart(d).Add(time.Duration(p.sessOn(d).start) * time.Minute)
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

// minutesOf is trading day d's minutes as of now: all of them for a day
// whose session is over, none for a day whose session has not begun, and
// for the day in progress those so far, the one in progress cut at now
// exactly as the live market shows it (dayRun.cut).
func (p *params) minutesOf(d int64, now time.Time, g *dayGen) []minute {
	shown, done, frac, open := p.position(now)
	k, cut := p.sessOn(d).minutes, false
	switch {
	case d > shown:
		return nil
	case d == shown:
		k, cut = done, open
		if open {
			k++
		}
	}
	if cap(g.own) < k {
		g.own = make([]minute, k)
	}
	buf := g.own[:k]
	g.run.start(p, d)
	for i := range buf {
		g.run.next()
		buf[i] = g.run.m
	}
	if cut {
		buf[k-1] = g.run.cut(frac, nil)
	}
	return buf
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
