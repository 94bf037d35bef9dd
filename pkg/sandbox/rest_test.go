package sandbox

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAuthAndRoutes(t *testing.T) {
	s := start(t, Options{})
	for _, auth := range []string{"", "token " + APIKey + ":bogus", "token bogus:" + s.AccessToken(), "Bearer x", "token " + APIKey} {
		r := call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil)
		wantError(t, r, http.StatusForbidden, "TokenException")
		if r.Env.Message != "Incorrect `api_key` or `access_token`." {
			t.Fatalf("auth %q: message %q", auth, r.Env.Message)
		}
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/no/such/route", tokenAuth(s), nil), http.StatusNotFound, "GeneralException")
	wantError(t, call(t, http.MethodPatch, s.URL()+"/user/profile", tokenAuth(s), nil), http.StatusNotFound, "GeneralException")
}

func TestQuoteEndpoints(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)

	var full map[string]struct {
		InstrumentToken   uint32  `json:"instrument_token"`
		Timestamp         string  `json:"timestamp"`
		LastPrice         float64 `json:"last_price"`
		LowerCircuitLimit float64 `json:"lower_circuit_limit"`
		UpperCircuitLimit float64 `json:"upper_circuit_limit"`
		OHLC              struct{ Open, High, Low, Close float64 }
		Depth             struct {
			Buy, Sell []struct {
				Price    float64 `json:"price"`
				Quantity int     `json:"quantity"`
				Orders   int     `json:"orders"`
			}
		}
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, url.Values{"i": {"NSE:INFY", "NSE:NIFTY 50", "408065"}}), &full)
	q, ok := full["NSE:INFY"]
	if !ok || len(full) != 3 || full["408065"].InstrumentToken != 408065 || full["NSE:NIFTY 50"].InstrumentToken != 256265 {
		t.Fatalf("quote keys: %v", full)
	}
	if !(q.LowerCircuitLimit <= q.LastPrice && q.LastPrice <= q.UpperCircuitLimit) || q.OHLC.Low > q.OHLC.High ||
		len(q.Depth.Buy) != 5 || len(q.Depth.Sell) != 5 || q.Depth.Buy[0].Price > q.Depth.Sell[0].Price {
		t.Fatalf("implausible quote: %+v", q)
	}
	if _, err := time.Parse("2006-01-02 15:04:05", q.Timestamp); err != nil {
		t.Fatalf("timestamp %q: %v", q.Timestamp, err)
	}

	var ohlc map[string]struct {
		InstrumentToken uint32  `json:"instrument_token"`
		LastPrice       float64 `json:"last_price"`
		OHLC            struct{ Open, High, Low, Close float64 }
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote/ohlc", auth, url.Values{"i": {"NSE:INFY", "BSE:NOPE"}}), &ohlc)
	if len(ohlc) != 1 || ohlc["NSE:INFY"].OHLC.High < ohlc["NSE:INFY"].OHLC.Low {
		t.Fatalf("ohlc: %+v", ohlc)
	}
	var ltp map[string]struct {
		InstrumentToken uint32  `json:"instrument_token"`
		LastPrice       float64 `json:"last_price"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote/ltp", auth, url.Values{"i": {"NSE:INFY"}}), &ltp)
	if ltp["NSE:INFY"].InstrumentToken != 408065 || ltp["NSE:INFY"].LastPrice <= 0 {
		t.Fatalf("ltp: %+v", ltp)
	}

	// Limits: 500 for /quote, 1000 for ohlc and ltp.
	many := func(n int) url.Values {
		v := url.Values{}
		for i := range n {
			v.Add("i", fmt.Sprintf("NSE:X%d", i))
		}
		return v
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/quote", auth, many(501)), http.StatusBadRequest, "InputException")
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, many(500)), nil)
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote/ltp", auth, many(1000)), nil)
	wantError(t, call(t, http.MethodGet, s.URL()+"/quote/ohlc", auth, many(1001)), http.StatusBadRequest, "InputException")
	wantError(t, call(t, http.MethodGet, s.URL()+"/quote", auth, nil), http.StatusBadRequest, "InputException")
}

func TestInstrumentsCSV(t *testing.T) {
	s := start(t, Options{})
	auth := tokenAuth(s)
	r := call(t, http.MethodGet, s.URL()+"/instruments", auth, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("instruments: %d %v", r.Status, r.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange" {
		t.Fatalf("header: %v", rows[0])
	}
	exchanges := map[string]bool{}
	found := false
	for _, row := range rows[1:] {
		exchanges[row[11]] = true
		if row[0] == "408065" && row[2] == "INFY" && row[11] == "NSE" {
			found = true
		}
	}
	if !found || len(rows) < 50 {
		t.Fatalf("INFY missing or too few rows (%d)", len(rows))
	}
	for _, ex := range []string{"NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"} {
		if !exchanges[ex] {
			t.Errorf("no %s instruments", ex)
		}
	}
	r = call(t, http.MethodGet, s.URL()+"/instruments/NFO", auth, nil)
	rows, err = csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("NFO dump: %v %d", err, len(rows))
	}
	for _, row := range rows[1:] {
		if row[11] != "NFO" {
			t.Fatalf("NFO dump has %v", row)
		}
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/instruments/XYZ", auth, nil), http.StatusBadRequest, "InputException")
}

func TestHistorical(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	path := s.URL() + "/instruments/historical/408065/"
	var data struct {
		Candles [][]any `json:"candles"`
	}
	// A fixed, past week (Mon 2 to Fri 6 Nov 2026).
	wantData(t, call(t, http.MethodGet, path+"day", auth, url.Values{"from": {"2026-11-02"}, "to": {"2026-11-06 23:59:59"}}), &data)
	if len(data.Candles) != 5 {
		t.Fatalf("want 5 day candles, got %d", len(data.Candles))
	}
	for _, c := range data.Candles {
		if len(c) != 6 {
			t.Fatalf("candle %v", c)
		}
		ts, _ := c[0].(string)
		if _, err := time.Parse("2006-01-02T15:04:05-0700", ts); err != nil || !strings.HasSuffix(ts, "+0530") {
			t.Fatalf("candle time %q: %v", ts, err)
		}
		o, h, l, cl := c[1].(float64), c[2].(float64), c[3].(float64), c[4].(float64)
		if l > o || l > cl || h < o || h < cl {
			t.Fatalf("inconsistent candle %v", c)
		}
	}
	wantData(t, call(t, http.MethodGet, path+"minute", auth, url.Values{"from": {"2026-11-02 09:15:00"}, "to": {"2026-11-02 09:20:00"}, "oi": {"1"}}), &data)
	if len(data.Candles) != 6 || len(data.Candles[0]) != 7 || data.Candles[0][0] != "2026-11-02T09:15:00+0530" {
		t.Fatalf("minute candles with oi: %v", data.Candles)
	}

	bad := []struct {
		interval, from, to, msg string
	}{
		{"minute", "2026-01-01", "2026-03-03", "interval exceeds max limit: 60 days"},
		{"5minute", "2026-01-01", "2026-04-12", "interval exceeds max limit: 100 days"},
		{"15minute", "2025-01-01", "2025-07-21", "interval exceeds max limit: 200 days"},
		{"60minute", "2024-01-01", "2025-02-05", "interval exceeds max limit: 400 days"},
		{"day", "2020-01-01", "2025-06-24", "interval exceeds max limit: 2000 days"},
		{"2minute", "2026-01-01", "2026-01-02", ""},
		{"day", "yesterday", "2026-01-02", ""},
		{"day", "2026-01-05", "2026-01-02", ""},
	}
	for _, b := range bad {
		r := call(t, http.MethodGet, path+b.interval, auth, url.Values{"from": {b.from}, "to": {b.to}})
		wantError(t, r, http.StatusBadRequest, "InputException")
		if b.msg != "" && r.Env.Message != b.msg {
			t.Errorf("%s %s..%s: message %q, want %q", b.interval, b.from, b.to, r.Env.Message, b.msg)
		}
	}
	// Just inside the limit is fine.
	wantData(t, call(t, http.MethodGet, path+"minute", auth, url.Values{"from": {"2026-01-01"}, "to": {"2026-03-02"}}), nil)
	wantError(t, call(t, http.MethodGet, s.URL()+"/instruments/historical/abc/day", auth, url.Values{"from": {"2026-01-01"}, "to": {"2026-01-02"}}), http.StatusBadRequest, "InputException")
}

func TestRateLimits(t *testing.T) {
	// Kite's own limits, on the limiter: one quote a second, ten of the
	// rest, ten order writes but then at most 400 placements a minute
	// (Kite's limit since 2026: https://kite.trade/forum/discussion/comment/52882/).
	l := newLimiter(RateLimits{})
	if !l.allow("a", classQuote) || l.allow("a", classQuote) {
		t.Fatal("quote: want exactly one request in the same instant")
	}
	if !l.allow("b", classQuote) {
		t.Fatal("limits are per API key")
	}
	for i := range 3 {
		if !l.allow("a", classHistorical) {
			t.Fatalf("historical request %d refused", i)
		}
	}
	if l.allow("a", classHistorical) {
		t.Fatal("fourth historical request allowed")
	}
	for i := range 10 {
		if !l.allow("a", classOther) {
			t.Fatalf("request %d refused", i)
		}
	}
	if l.allow("a", classOther) {
		t.Fatal("eleventh request allowed")
	}
	l = newLimiter(RateLimits{Orders: 1000})
	for i := range 400 {
		if !l.allow("a", classOrderPlace) {
			t.Fatalf("order %d refused", i)
		}
	}
	if l.allow("a", classOrderPlace) {
		t.Fatal("order 401 in a minute allowed")
	}
	if !l.allow("a", classOrderWrite) {
		t.Fatal("modify refused by the placement limit")
	}

	// Over HTTP: the 429 envelope.
	s := start(t, Options{RateLimits: RateLimits{Other: 0.01}})
	auth := tokenAuth(s)
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil), nil)
	r := call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil)
	wantError(t, r, http.StatusTooManyRequests, "NetworkException")
	if r.Env.Message != "Too many requests" {
		t.Fatalf("message %q", r.Env.Message)
	}
}

func TestFaultsREST(t *testing.T) {
	s := start(t, Options{Faults: Faults{RateLimit: true}})
	auth := tokenAuth(s)
	r := call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil)
	wantError(t, r, http.StatusTooManyRequests, "NetworkException")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}

	s.SetFaults(Faults{ErrorRate: 1})
	r = call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil)
	if r.Status != http.StatusServiceUnavailable && r.Status != http.StatusInternalServerError || r.Env.Status != "error" {
		t.Fatalf("error rate 1: %d %s", r.Status, r.Body)
	}
	s.SetFaults(Faults{})
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil), nil)

	// A fractional rate is deterministic from the seed.
	pattern := func(seed int64) string {
		s := start(t, Options{Seed: seed, Faults: Faults{ErrorRate: 0.5}, RateLimits: NoRateLimits()})
		auth := tokenAuth(s)
		var b strings.Builder
		for range 40 {
			b.WriteString(strconv.Itoa(call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil).Status) + " ")
		}
		return b.String()
	}
	p1, p2 := pattern(7), pattern(7)
	if p1 != p2 {
		t.Fatalf("same seed, different faults:\n%s\n%s", p1, p2)
	}
	if !strings.Contains(p1, "200") || !strings.Contains(p1, "50") {
		t.Fatalf("error rate 0.5 gave %s", p1)
	}

	// ExpireSessions.
	s.ExpireSessions()
	wantError(t, call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil), http.StatusForbidden, "TokenException")
}

func TestLoopbackOnly(t *testing.T) {
	_, err := Start(context.Background(), Options{Addr: "0.0.0.0:0"})
	if !errors.Is(err, ErrRemoteAddr) {
		t.Fatalf("non-loopback address: %v", err)
	}
	for _, addr := range []string{"localhost:0", "[::1]:0"} {
		s, err := Start(context.Background(), Options{Addr: addr})
		if err != nil {
			if strings.Contains(err.Error(), "cannot assign") || strings.Contains(err.Error(), "address family") {
				continue // no IPv6 loopback here
			}
			t.Fatalf("%s: %v", addr, err)
		}
		s.Close()
	}
	s := start(t, Options{Addr: "0.0.0.0:0", AllowRemote: true})
	if s.URL() == "" {
		t.Fatal("no URL")
	}
}

// TestDefaultRateLimitsAreKites: the sandbox enforces Kite's published
// figures of 2026 (docs/orders-2026.md, sources [2] and [12]), the same
// that kite paces itself by, written here by hand from the sources.
func TestDefaultRateLimitsAreKites(t *testing.T) {
	want := RateLimits{Quote: 1, Historical: 3, Orders: 10, OrdersPerMinute: 400, OrdersPerDay: 5000, Other: 10}
	if got := DefaultRateLimits(); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
