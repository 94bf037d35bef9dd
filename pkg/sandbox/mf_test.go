package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestMutualFundReads: the fund universe's holdings, orders, SIPs and
// instruments; writes are refused as Kite refuses them to apps.
func TestMutualFundReads(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour,
		MarketClock: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }})
	auth := tokenAuth(s)
	var hs []struct {
		Tradingsymbol string  `json:"tradingsymbol"`
		PnL           float64 `json:"pnl"`
		LastPriceDate string  `json:"last_price_date"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/mf/holdings", auth, nil), &hs)
	// 412.337 units bought at 121.27, NAV 152.4321: (152.4321 − 121.27) ×
	// 412.337 = 12849.2868… → 12849.29. NAVs are Tuesday's (the clock is a
	// Wednesday).
	if len(hs) != 3 || hs[0].Tradingsymbol != "INF000S01AA1" || hs[0].PnL != 12849.29 || hs[0].LastPriceDate != "2026-11-24" {
		t.Fatalf("holdings %+v", hs)
	}
	var orders []map[string]any
	wantData(t, call(t, http.MethodGet, s.URL()+"/mf/orders", auth, nil), &orders)
	if len(orders) != 4 {
		t.Fatalf("orders %+v", orders)
	}
	// The last week: today's open order, the rejection two days before
	// and the redemption five days before; not the SIP instalment nine
	// days before.
	wantData(t, call(t, http.MethodGet, s.URL()+"/mf/orders", auth, url.Values{"from": {"2026-11-18"}, "to": {"2026-11-25"}}), &orders)
	if len(orders) != 3 {
		t.Fatalf("orders of the week: %+v", orders)
	}
	var one map[string]any
	wantData(t, call(t, http.MethodGet, s.URL()+"/mf/orders/sb-mf-0000-0000-000000000102", auth, nil), &one)
	if one["status"] != "COMPLETE" || one["transaction_type"] != "SELL" {
		t.Fatalf("order %v", one)
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/mf/orders/nope", auth, nil), http.StatusBadRequest, "InputException")
	var sips []map[string]any
	wantData(t, call(t, http.MethodGet, s.URL()+"/mf/sips", auth, nil), &sips)
	if len(sips) != 2 || sips[0]["status"] != "ACTIVE" || sips[1]["pending_instalments"] != float64(24) {
		t.Fatalf("sips %v", sips)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/mf/sips/800000000000102", auth, nil), &one)
	r := call(t, http.MethodGet, s.URL()+"/mf/instruments", auth, nil)
	if lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n"); len(lines) != 7 || !strings.HasPrefix(lines[0], "tradingsymbol,amc,name,") {
		t.Fatalf("instruments %s", r.Body)
	}
	for _, w := range []struct{ method, path string }{{"POST", "/mf/orders"}, {"DELETE", "/mf/orders/x"}, {"POST", "/mf/sips"}, {"PUT", "/mf/sips/x"}, {"DELETE", "/mf/sips/x"}} {
		wantError(t, call(t, w.method, s.URL()+w.path, auth, url.Values{"tradingsymbol": {"INF000S01AA1"}, "amount": {"5000"}}), http.StatusForbidden, "PermissionException")
	}
}
