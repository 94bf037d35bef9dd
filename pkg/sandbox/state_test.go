package sandbox

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestStateCarriesTheAccount saves an account with a filled order, an open
// order, a GTT and an alert, starts a second sandbox from the saved state
// and checks it shows the same books, byte for byte, and goes on numbering
// orders after the saved ones.
func TestStateCarriesTheAccount(t *testing.T) {
	day := time.Date(2026, 11, 24, 11, 0, 0, 0, time.FixedZone("IST", 5*3600+30*60))
	clock := func() time.Time { return day }
	opts := Options{Seed: 7, RateLimits: NoRateLimits(), MarketClock: clock, TickInterval: time.Hour}
	s1 := start(t, opts)
	auth := tokenAuth(s1)
	buy := url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"3"},
		"product": {"MIS"}, "order_type": {"MARKET"}, "market_protection": {"-1"}, "validity": {"DAY"}}
	wantData(t, call(t, http.MethodPost, s1.URL()+"/orders/regular", auth, buy), nil)
	last := ltpOf(t, s1, auth, "NSE:INFY")
	limit := url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"1"},
		"product": {"CNC"}, "order_type": {"LIMIT"}, "price": {formatRupees(tick(last * 0.95))}, "validity": {"DAY"}}
	wantData(t, call(t, http.MethodPost, s1.URL()+"/orders/regular", auth, limit), nil)
	wantData(t, call(t, http.MethodPost, s1.URL()+"/gtt/triggers", auth,
		gttForm("single", last, []float64{tick(last * 0.9)}, leg("BUY", "LIMIT", tick(last*0.9)))), nil)
	wantData(t, call(t, http.MethodPost, s1.URL()+"/alerts", auth, alertForm("far", "simple", "INFY", ">=", tick(last*2))), nil)

	var saved bytes.Buffer
	if err := s1.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	opts.State = bytes.NewReader(saved.Bytes())
	s2 := start(t, opts)
	auth2 := tokenAuth(s2)
	for _, path := range []string{"/orders", "/trades", "/portfolio/positions", "/portfolio/holdings", "/gtt/triggers", "/alerts", "/user/margins"} {
		a := call(t, http.MethodGet, s1.URL()+path, auth, nil)
		b := call(t, http.MethodGet, s2.URL()+path, auth2, nil)
		if a.Status != http.StatusOK || !bytes.Equal(a.Env.Data, b.Env.Data) {
			t.Errorf("%s differs after a restore:\nbefore %s\nafter  %s", path, a.Body, b.Body)
		}
	}
	var orders []orderJSON
	wantData(t, call(t, http.MethodGet, s2.URL()+"/orders", auth2, nil), &orders)
	if len(orders) != 2 || orders[0].Status != "COMPLETE" || orders[1].Status != "OPEN" {
		t.Fatalf("restored orders: %+v", orders)
	}
	var placed struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, call(t, http.MethodPost, s2.URL()+"/orders/regular", auth2, buy), &placed)
	// IDs are YYMMDD then a 9-digit sequence: the third order of the account.
	if want := "261124000000003"; placed.OrderID != want {
		t.Fatalf("next order ID %s, want %s", placed.OrderID, want)
	}
	// The restored open order can still be cancelled.
	wantData(t, call(t, http.MethodDelete, s2.URL()+"/orders/regular/"+orders[1].OrderID, auth2, nil), nil)
}

func TestStateRefusesBadInput(t *testing.T) {
	var good bytes.Buffer
	s := start(t, Options{Seed: 3})
	if err := s.SaveState(&good); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"empty":        "",
		"not json":     "hello",
		"cut short":    good.String()[:good.Len()/2],
		"wrong kind":   `{"version":"one"}`,
		"unknown key":  `{"version":1,"seed":3,"extra":1}`,
		"old version":  strings.Replace(good.String(), `"version": 1`, `"version": 99`, 1),
		"another seed": strings.Replace(good.String(), `"seed": 3`, `"seed": 4`, 1),
		"trailing":     good.String() + "{}",
	} {
		_, err := Start(t.Context(), Options{Seed: 3, State: strings.NewReader(in)})
		if !errors.Is(err, ErrBadState) {
			t.Errorf("%s: got %v, want ErrBadState", name, err)
			continue
		}
		if strings.Contains(err.Error(), "json:") || strings.Contains(err.Error(), "unmarshal") {
			t.Errorf("%s: Go-internal message %q", name, err)
		}
	}
}

// FuzzRestoreState feeds arbitrary bytes to the state loader: it must
// refuse them with ErrBadState or restore them, never panic, and a restored
// account must still answer its reads and match.
func FuzzRestoreState(f *testing.F) {
	s, err := Start(context.Background(), Options{Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	var good bytes.Buffer
	if err := s.SaveState(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte(`{"version":1,"seed":1,"paper":{"orders":[{"order":{"order_id":"1","status":"OPEN"},"instrument":{"Token":0},"qty":-5}],"positions":[{"instrument":{"Token":1},"buy_qty":0,"sell_qty":3}]}}`))
	f.Add([]byte(`{"version":1,"seed":1,"gtt":{"triggers":[{"trigger":{"id":1,"status":"active"}}]},"alerts":{"alerts":[{"alert":{"uuid":"x","status":"enabled"}}]}}`))
	f.Add([]byte(`not json`))
	w := s.world
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := w.restore(bytes.NewReader(in), 1); err != nil {
			if !errors.Is(err, ErrBadState) {
				t.Fatalf("error %v does not wrap ErrBadState", err)
			}
			return
		}
		now := w.market.Now()
		w.paper.Match(now)
		w.gtt.Step(now)
		w.alerts.Step(now)
		_ = w.paper.Positions()
		_ = w.paper.Margins()
		_ = w.paper.Holdings()
		_ = w.paper.Orders()
	})
}
