package kite

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// EndpointClass groups the endpoints Kite rate-limits together.
type EndpointClass string

// Endpoint classes, as Kite documents its limits.
const (
	ClassQuote      EndpointClass = "quote"      // /quote, /quote/ohlc, /quote/ltp
	ClassHistorical EndpointClass = "historical" // /instruments/historical/…
	ClassOrder      EndpointClass = "order"      // order writes: place, modify, cancel
	ClassDefault    EndpointClass = "default"    // everything else
)

// Window is "at most N requests per Per".
type Window struct {
	N   int
	Per time.Duration
}

func (w Window) String() string {
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "min", time.Hour: "h", 24 * time.Hour: "day"}[w.Per]
	if unit == "" {
		unit = w.Per.String()
	}
	return fmt.Sprintf("%d/%s", w.N, unit)
}

// RateTable is the client-side limit of each endpoint class. A class with
// no windows is not limited.
type RateTable map[EndpointClass][]Window

// DefaultRateTable is Kite's published limits, the one place they live.
// Kite revises them, so every class can be overridden with
// KITE_RATE_<CLASS> (see RateTableFromEnv).
func DefaultRateTable() RateTable {
	return RateTable{
		ClassQuote:      {{1, time.Second}},
		ClassHistorical: {{3, time.Second}},
		ClassOrder:      {{10, time.Second}, {200, time.Minute}, {5000, 24 * time.Hour}},
		ClassDefault:    {{10, time.Second}},
	}
}

// RateTableFromEnv overrides t's classes from KITE_RATE_QUOTE,
// KITE_RATE_HISTORICAL, KITE_RATE_ORDER and KITE_RATE_DEFAULT: a
// comma-separated list of N/UNIT windows (UNIT s, min, h or day, e.g.
// "10/s,200/min"), or "off" for no client-side limit.
func (t RateTable) FromEnv(getenv func(string) string) (RateTable, error) {
	out := RateTable{}
	for c, ws := range t {
		out[c] = ws
	}
	for _, c := range []EndpointClass{ClassQuote, ClassHistorical, ClassOrder, ClassDefault} {
		name := "KITE_RATE_" + strings.ToUpper(string(c))
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		ws, err := ParseWindows(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", name, v, err)
		}
		out[c] = ws
	}
	return out, nil
}

// ParseWindows parses "10/s,200/min" (or "off": no windows).
func ParseWindows(s string) ([]Window, error) {
	if strings.EqualFold(s, "off") {
		return nil, nil
	}
	var ws []Window
	for part := range strings.SplitSeq(s, ",") {
		n, unit, ok := strings.Cut(strings.TrimSpace(part), "/")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count < 1 {
			return nil, fmt.Errorf("want windows such as 3/s or 10/s,200/min, or off")
		}
		per, ok := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "h": time.Hour, "day": 24 * time.Hour}[unit]
		if !ok {
			return nil, fmt.Errorf("unknown unit %q: use s, min, h or day", unit)
		}
		ws = append(ws, Window{count, per})
	}
	return ws, nil
}

// ClassOf says which limit a request counts against. path is relative to
// the REST base (the same for both session kinds).
func ClassOf(method, path string) EndpointClass {
	path, _, _ = strings.Cut(path, "?")
	switch {
	case path == "/quote" || strings.HasPrefix(path, "/quote/"):
		return ClassQuote
	case strings.HasPrefix(path, "/instruments/historical/"):
		return ClassHistorical
	case method != http.MethodGet && strings.HasPrefix(path, "/orders/"):
		// Kite's order limits are about placement; modify and cancel are
		// counted with it, which can only keep the client further under
		// them (and the sandbox, like Kite, shares one bucket for writes).
		return ClassOrder
	}
	return ClassDefault
}

// RateLimiter holds one token bucket per window of each class. It is safe
// for concurrent use and lives as long as the Client (one process), so it
// keeps one process under Kite's limits; separate processes are not
// coordinated.
type RateLimiter struct {
	buckets map[EndpointClass][]*rate.Limiter
}

// NewRateLimiter builds the buckets for t.
//
// A token bucket of rate N/Per cannot promise "at most N in any window of
// Per" once its burst is above one, so windows of a second are paced evenly
// (burst 1) with a 10% margin: requests sent exactly 1/N s apart arrive
// closer than that whenever the network delays one more than the next,
// and the server then answers 429. Longer windows, which exist to allow
// short bursts, get rate N/(2·Per) with burst N/2: at most N/2 at once plus
// N/2 refilled, N in any window.
func NewRateLimiter(t RateTable) *RateLimiter {
	l := &RateLimiter{buckets: map[EndpointClass][]*rate.Limiter{}}
	for c, ws := range t {
		for _, w := range ws {
			var b *rate.Limiter
			if w.Per <= time.Second {
				b = rate.NewLimiter(rate.Every(w.Per*11/10/time.Duration(w.N)), 1)
			} else {
				b = rate.NewLimiter(rate.Every(2*w.Per/time.Duration(w.N)), max(w.N/2, 1))
			}
			l.buckets[c] = append(l.buckets[c], b)
		}
	}
	return l
}

// Wait blocks until a request of this method and path may be sent, or ctx
// ends.
func (l *RateLimiter) Wait(ctx context.Context, method, path string) error {
	if l == nil {
		return nil
	}
	for _, b := range l.buckets[ClassOf(method, path)] {
		if err := b.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("client-side rate limit: %w", err)
		}
	}
	return nil
}
