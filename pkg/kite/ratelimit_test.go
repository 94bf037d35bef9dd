package kite

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestClassOf(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         EndpointClass
	}{
		{"GET", "/quote", ClassQuote},
		{"GET", "/quote/ltp?i=NSE:INFY", ClassQuote},
		{"GET", "/quotes", ClassDefault},
		{"GET", "/instruments/historical/408065/minute", ClassHistorical},
		{"GET", "/instruments", ClassDefault},
		{"POST", "/orders/regular", ClassOrder},
		{"PUT", "/orders/regular/123", ClassOrder},
		{"DELETE", "/orders/regular/123", ClassOrder},
		{"GET", "/orders/123", ClassDefault},
		{"GET", "/portfolio/holdings", ClassDefault},
	} {
		if got := ClassOf(c.method, c.path); got != c.want {
			t.Errorf("ClassOf(%s %s) = %s, want %s", c.method, c.path, got, c.want)
		}
	}
}

func TestRateTableFromEnv(t *testing.T) {
	env := map[string]string{"KITE_RATE_QUOTE": "2/s", "KITE_RATE_ORDER": "5/s, 100/min,1000/day", "KITE_RATE_DEFAULT": "off"}
	tab, err := DefaultRateTable().FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := tab[ClassQuote]; len(got) != 1 || got[0] != (Window{2, time.Second}) {
		t.Errorf("quote = %v", got)
	}
	if got := tab[ClassOrder]; len(got) != 3 || got[1] != (Window{100, time.Minute}) || got[2] != (Window{1000, 24 * time.Hour}) {
		t.Errorf("order = %v", got)
	}
	if got := tab[ClassDefault]; len(got) != 0 {
		t.Errorf("default = %v, want no limit", got)
	}
	if got := tab[ClassHistorical]; len(got) != 1 || got[0] != (Window{3, time.Second}) {
		t.Errorf("historical = %v, want Kite's 3/s untouched", got)
	}
	if DefaultRateTable()[ClassQuote][0].N != 1 {
		t.Error("FromEnv changed the default table")
	}
	for _, bad := range []string{"3", "x/s", "0/s", "3/fortnight", "-1/s"} {
		env := map[string]string{"KITE_RATE_HISTORICAL": bad}
		if _, err := DefaultRateTable().FromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("KITE_RATE_HISTORICAL=%q accepted", bad)
		}
	}
}

// Bursts are what a token bucket decides up front, so they can be checked
// without timing: how many requests pass at once before the first wait.
func TestRateLimiterBursts(t *testing.T) {
	l := NewRateLimiter(DefaultRateTable())
	count := func(method, path string) int {
		n := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			err := l.Wait(ctx, method, path)
			cancel()
			if err != nil || n > 1000 {
				return n
			}
			n++
		}
	}
	if n := count(http.MethodGet, "/quote"); n != 1 {
		t.Errorf("quote burst = %d, want 1 (evenly paced)", n)
	}
	if n := count(http.MethodGet, "/instruments/historical/1/day"); n != 1 {
		t.Errorf("historical burst = %d, want 1", n)
	}
	var nilLimiter *RateLimiter
	if err := nilLimiter.Wait(context.Background(), http.MethodGet, "/quote"); err != nil {
		t.Errorf("nil limiter: %v", err)
	}
}

// A one-per-second class lets one request out at a time and counts its
// window from the response, not from the send.
func TestPacerWaitsForTheResponse(t *testing.T) {
	l := NewRateLimiter(DefaultRateTable())
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	release, err := l.Acquire(context.Background(), http.MethodGet, "/quote")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(short(), http.MethodGet, "/quote/ltp"); err == nil {
		t.Fatal("a second quote request went out while the first had no response")
	}
	if _, err := l.Acquire(short(), http.MethodGet, "/instruments"); err != nil {
		t.Fatalf("another class was held up: %v", err)
	}
	release()
	release() // idempotent
	if _, err := l.Acquire(short(), http.MethodGet, "/quote"); err == nil {
		t.Fatal("the next quote request did not wait a second after the response")
	}
}

// TestDefaultRateTableOrders pins the order limits to Kite's published
// figures of 2026: 10/s, 400/min, 5,000/day
// (https://kite.trade/forum/discussion/comment/52882/).
func TestDefaultRateTableOrders(t *testing.T) {
	got := DefaultRateTable()[ClassOrder]
	want := []Window{{10, time.Second}, {400, time.Minute}, {5000, 24 * time.Hour}}
	if len(got) != len(want) {
		t.Fatalf("order windows: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order windows: got %v, want %v", got, want)
		}
	}
}
