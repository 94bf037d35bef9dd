package sandbox

import (
	"sync"

	"github.com/kitecli/kite/pkg/kitespec"
	"golang.org/x/time/rate"
)

// RateLimits are the request limits per API key (per user for a web
// session), by endpoint class. Rates are requests per second. A zero field
// takes Kite's value (see DefaultRateLimits); a negative one means no limit.
type RateLimits struct {
	Quote           float64 // /quote, /quote/ohlc, /quote/ltp
	Historical      float64 // /instruments/historical/…
	Orders          float64 // order writes: place, modify, cancel
	OrdersPerMinute int     // order placements per minute
	OrdersPerDay    int     // order placements per day
	Other           float64 // every other endpoint
}

// DefaultRateLimits are Kite's published limits, the figures pkg/kitespec
// records with their sources. The client paces itself by the same
// figures, so normal use of kite never meets a 429 here; how requests are
// classed and counted is the sandbox's own.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		Quote:           kitespec.QuotePerSecond,
		Historical:      kitespec.HistoricalPerSecond,
		Orders:          kitespec.OrdersPerSecond,
		OrdersPerMinute: kitespec.OrdersPerMinute,
		OrdersPerDay:    kitespec.OrdersPerDay,
		Other:           kitespec.OtherPerSecond,
	}
}

// NoRateLimits disables every limit, for load tests.
func NoRateLimits() RateLimits {
	return RateLimits{Quote: -1, Historical: -1, Orders: -1, OrdersPerMinute: -1, OrdersPerDay: -1, Other: -1}
}

func (l RateLimits) withDefaults() RateLimits {
	d := DefaultRateLimits()
	if l.Quote == 0 {
		l.Quote = d.Quote
	}
	if l.Historical == 0 {
		l.Historical = d.Historical
	}
	if l.Orders == 0 {
		l.Orders = d.Orders
	}
	if l.OrdersPerMinute == 0 {
		l.OrdersPerMinute = d.OrdersPerMinute
	}
	if l.OrdersPerDay == 0 {
		l.OrdersPerDay = d.OrdersPerDay
	}
	if l.Other == 0 {
		l.Other = d.Other
	}
	return l
}

// endpointClass is which of Kite's rate limits a request counts against.
type endpointClass int

const (
	classOther endpointClass = iota
	classQuote
	classHistorical
	classOrderWrite // modify, cancel
	classOrderPlace // place: also the per-minute and per-day limits
	numClasses
)

// limiter keeps one set of token buckets per key.
type limiter struct {
	limits RateLimits
	mu     sync.Mutex
	keys   map[string]*keyLimits
}

type keyLimits struct {
	perSecond [numClasses]*rate.Limiter
	perMinute *rate.Limiter
	perDay    *rate.Limiter
}

func newLimiter(l RateLimits) *limiter {
	return &limiter{limits: l.withDefaults(), keys: map[string]*keyLimits{}}
}

// bucket is a limiter allowing perSecond requests a second with a burst of
// one second's worth; nil means unlimited.
func bucket(perSecond float64, burst int) *rate.Limiter {
	if perSecond < 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
}

// allow reports whether a request of class c by key fits in the limits,
// consuming a token from each bucket it counts against.
func (l *limiter) allow(key string, c endpointClass) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keys[key]
	if k == nil {
		lim := l.limits
		k = &keyLimits{}
		k.perSecond[classOther] = bucket(lim.Other, int(lim.Other))
		k.perSecond[classQuote] = bucket(lim.Quote, int(lim.Quote))
		k.perSecond[classHistorical] = bucket(lim.Historical, int(lim.Historical))
		orders := bucket(lim.Orders, int(lim.Orders))
		k.perSecond[classOrderWrite] = orders
		k.perSecond[classOrderPlace] = orders // one bucket: all order writes share 10/s
		if lim.OrdersPerMinute > 0 {
			k.perMinute = bucket(float64(lim.OrdersPerMinute)/60, lim.OrdersPerMinute)
		}
		if lim.OrdersPerDay > 0 {
			k.perDay = bucket(float64(lim.OrdersPerDay)/86400, lim.OrdersPerDay)
		}
		l.keys[key] = k
	}
	// Check every bucket before consuming any, so a refused request does
	// not eat into the other limits.
	buckets := []*rate.Limiter{k.perSecond[c]}
	if c == classOrderPlace {
		buckets = append(buckets, k.perMinute, k.perDay)
	}
	for _, b := range buckets {
		if b != nil && b.Tokens() < 1 {
			return false
		}
	}
	for _, b := range buckets {
		if b != nil {
			b.Allow()
		}
	}
	return true
}
