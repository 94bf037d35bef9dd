package market

import (
	"math"
	"time"
)

// Hours is when the simulated exchanges trade.
type Hours uint8

const (
	// AlwaysOpen makes every day from the market's start day on a trading
	// day on which every segment trades round the clock (00:00–24:00 IST),
	// so a sandbox is live whenever it is tried and its timestamps are the
	// wall clock's. Days before the start keep the real sessions, so
	// history looks like the exchanges'. It is the zero value.
	AlwaysOpen Hours = iota
	// RealHours follows the IST sessions (NSE, BSE, NFO, BFO 09:15–15:30;
	// CDS, BCD 09:00–17:00; MCX 09:00–23:30) on weekdays. Outside them
	// prices stand at the last session's close and nothing trades.
	RealHours
)

// String is the flag value of the hours: "real" or "always".
func (h Hours) String() string {
	if h == AlwaysOpen {
		return "always"
	}
	return "real"
}

// ParseHours reads "real" or "always".
func ParseHours(s string) (Hours, bool) {
	switch s {
	case "real":
		return RealHours, true
	case "always":
		return AlwaysOpen, true
	}
	return 0, false
}

// roundTheClock is the session of an AlwaysOpen day.
var roundTheClock = session{0, 24 * 60}

// never is the alwaysFrom day of RealHours: no day is round the clock.
const never = math.MaxInt64

// sessOn is the session of trading day d.
func (p *params) sessOn(d int64) session {
	if d >= p.alwaysFrom {
		return roundTheClock
	}
	return p.sess
}

// trading reports whether day d is a trading day.
func (p *params) trading(d int64) bool { return d >= p.alwaysFrom || isTradingDay(d) }

// prevTrading is the trading day before d.
func (p *params) prevTrading(d int64) int64 {
	d--
	for !p.trading(d) {
		d--
	}
	return d
}

// position is where now falls in the sessions: the trading day whose
// figures a quote shows, how many of its minutes are complete, how far into
// the next one now is (0 ≤ frac < 1), and whether the session is open. Out
// of session it is the last session, complete.
func (p *params) position(now time.Time) (day int64, done int, frac float64, open bool) {
	d := dayNumber(now)
	if p.trading(d) {
		sess := p.sessOn(d)
		since := now.Sub(dayStart(d).Add(time.Duration(sess.start) * time.Minute))
		if since >= 0 && since < time.Duration(sess.minutes)*time.Minute {
			k := int(since / time.Minute)
			return d, k, float64(since-time.Duration(k)*time.Minute) / float64(time.Minute), true
		}
		if since >= 0 {
			return d, sess.minutes, 0, false
		}
	}
	pd := p.prevTrading(d)
	return pd, p.sessOn(pd).minutes, 0, false
}

// sessionEnd is when trading day d's session closes.
func (p *params) sessionEnd(d int64) time.Time {
	s := p.sessOn(d)
	return dayStart(d).Add(time.Duration(s.start+s.minutes) * time.Minute)
}
