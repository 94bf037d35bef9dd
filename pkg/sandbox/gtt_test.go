package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/kitespec"
)

// ltpOf is an instrument's last price from /quote/ltp.
func ltpOf(t *testing.T, s *Server, auth, key string) float64 {
	t.Helper()
	var q map[string]struct {
		LastPrice float64 `json:"last_price"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote/ltp", auth, url.Values{"i": {key}}), &q)
	if q[key].LastPrice <= 0 {
		t.Fatalf("no last price for %s", key)
	}
	return q[key].LastPrice
}

// tick rounds a price to INFY's 0.05 tick.
func tick(v float64) float64 { return math.Round(v*20) / 20 }

func gttForm(typ string, last float64, triggers []float64, orders ...string) url.Values {
	tv, _ := json.Marshal(triggers)
	return url.Values{
		"type":      {typ},
		"condition": {fmt.Sprintf(`{"exchange":"NSE","tradingsymbol":"INFY","trigger_values":%s,"last_price":%v}`, tv, last)},
		"orders":    {"[" + joinComma(orders) + "]"},
	}
}

func joinComma(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(x)
	}
	return b.String()
}

func leg(side, typ string, price float64) string {
	return fmt.Sprintf(`{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":%q,"quantity":1,"order_type":%q,"product":"CNC","price":%v}`, side, typ, price)
}

type gttJSON struct {
	ID        int    `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	ExpiresAt string `json:"expires_at"`
	CreatedAt string `json:"created_at"`
	Condition struct {
		TriggerValues []float64 `json:"trigger_values"`
	} `json:"condition"`
	Orders []struct {
		Price  float64 `json:"price"`
		Result *struct {
			TriggeredAt float64 `json:"triggered_at"`
			OrderResult struct {
				Status  string `json:"status"`
				OrderID string `json:"order_id"`
			} `json:"order_result"`
		} `json:"result"`
	} `json:"orders"`
}

// TestGTTValidation: the sandbox refuses what Kite refuses, with an
// InputException, and keeps what it accepts: list, show, modify, delete.
func TestGTTValidation(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	ltp := ltpOf(t, s, auth, "NSE:INFY")
	// INFY trades above ₹50, so a trigger must be 0.25% away: at 1% it is,
	// at 0.1% it is not.
	far, near := tick(ltp*0.99), tick(ltp*0.999)
	up := tick(ltp * 1.01)
	for name, form := range map[string]url.Values{
		"too close":          gttForm("single", ltp, []float64{near}, leg("BUY", "LIMIT", near)),
		"oco legs reversed":  gttForm("two-leg", ltp, []float64{up, far}, leg("SELL", "LIMIT", up), leg("SELL", "LIMIT", far)),
		"oco mixed sides":    gttForm("two-leg", ltp, []float64{far, up}, leg("SELL", "LIMIT", far), leg("BUY", "LIMIT", up)),
		"limit far":          gttForm("single", ltp, []float64{far}, leg("BUY", "LIMIT", tick(far*0.8))),
		"market leg":         gttForm("single", ltp, []float64{far}, leg("BUY", "MARKET", far)),
		"two orders single":  gttForm("single", ltp, []float64{far}, leg("BUY", "LIMIT", far), leg("BUY", "LIMIT", far)),
		"bad type":           gttForm("three-leg", ltp, []float64{far}, leg("BUY", "LIMIT", far)),
		"no last price":      gttForm("single", 0, []float64{far}, leg("BUY", "LIMIT", far)),
		"condition not json": {"type": {"single"}, "condition": {"{"}, "orders": {"[]"}},
		"off tick":           gttForm("single", ltp, []float64{far + 0.01}, leg("BUY", "LIMIT", far)),
	} {
		r := call(t, http.MethodPost, s.URL()+"/gtt/triggers", auth, form)
		if r.Status != http.StatusBadRequest || r.Env.ErrorType != kitespec.InputException {
			t.Errorf("%s: got %d %s, want 400 InputException", name, r.Status, r.Body)
		}
	}

	var created struct {
		TriggerID int `json:"trigger_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/gtt/triggers", auth,
		gttForm("single", ltp, []float64{far}, leg("BUY", "LIMIT", far))), &created)
	var got gttJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers/"+strconv.Itoa(created.TriggerID), auth, nil), &got)
	if got.Status != "active" || got.Type != "single" || got.Orders[0].Price != far || got.Orders[0].Result != nil {
		t.Errorf("created GTT: %+v", got)
	}
	// Valid for a year: expires_at is created_at a year on.
	c, _ := time.Parse(time.DateTime, got.CreatedAt)
	e, _ := time.Parse(time.DateTime, got.ExpiresAt)
	if !e.Equal(c.AddDate(1, 0, 0)) {
		t.Errorf("created %s, expires %s: want a year later", got.CreatedAt, got.ExpiresAt)
	}

	lower := tick(ltp * 0.98)
	wantData(t, call(t, http.MethodPut, s.URL()+"/gtt/triggers/"+strconv.Itoa(created.TriggerID), auth,
		gttForm("single", ltp, []float64{lower}, leg("BUY", "LIMIT", lower))), nil)
	var list []gttJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers", auth, nil), &list)
	if len(list) != 1 || list[0].Condition.TriggerValues[0] != lower {
		t.Fatalf("after modify: %+v", list)
	}
	wantData(t, call(t, http.MethodDelete, s.URL()+"/gtt/triggers/"+strconv.Itoa(created.TriggerID), auth, nil), nil)
	wantData(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers", auth, nil), &list)
	if len(list) != 0 {
		t.Errorf("a deleted GTT is still listed: %+v", list)
	}
	wantError(t, call(t, http.MethodDelete, s.URL()+"/gtt/triggers/"+strconv.Itoa(created.TriggerID), auth, nil), http.StatusBadRequest, kitespec.InputException)
	wantError(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers/99", auth, nil), http.StatusBadRequest, kitespec.InputException)
	wantError(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers/x", auth, nil), http.StatusBadRequest, kitespec.InputException)
}

// TestGTTFires: a two-leg GTT around the price fires one leg when the
// walk crosses a trigger: the leg's order is placed (in the order book,
// pushed on the ticker), the GTT is triggered with the order's ID, and the
// other leg never fires.
func TestGTTFires(t *testing.T) {
	s := start(t, Options{TickInterval: 5 * time.Millisecond, RateLimits: NoRateLimits(), MarketClock: FastClock(6000)})
	auth := tokenAuth(s)
	ws := dialTicker(t, s, s.AccessToken())
	// The market runs fast: if it moved too close to a trigger between
	// reading the price and creating the GTT, the sandbox refuses it, as
	// Kite would, and the test tries again from the new price.
	var (
		ltp, lo, hi float64
		created     struct {
			TriggerID int `json:"trigger_id"`
		}
	)
	for attempt := 1; ; attempt++ {
		ltp = ltpOf(t, s, auth, "NSE:INFY")
		lo, hi = tick(ltp*0.996), tick(ltp*1.004)
		// Selling INFY from the seeded holding: a stop-loss below, a target above.
		r := call(t, http.MethodPost, s.URL()+"/gtt/triggers", auth,
			gttForm("two-leg", ltp, []float64{lo, hi}, leg("SELL", "LIMIT", tick(lo*0.99)), leg("SELL", "LIMIT", hi)))
		if r.Status == http.StatusOK {
			wantData(t, r, &created)
			break
		}
		if attempt == 5 {
			t.Fatalf("creating the GTT: %d %s", r.Status, r.Body)
		}
	}
	var g gttJSON
	deadline := time.Now().Add(30 * time.Second)
	for {
		wantData(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers/"+strconv.Itoa(created.TriggerID), auth, nil), &g)
		if g.Status != "active" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if g.Status != "triggered" {
		t.Fatalf("GTT status %q after 30s of a fast market, want triggered", g.Status)
	}
	fired := -1
	for i, o := range g.Orders {
		if o.Result != nil {
			if fired >= 0 {
				t.Fatalf("both legs fired: %+v", g)
			}
			fired = i
		}
	}
	if fired < 0 {
		t.Fatalf("triggered without a result: %+v", g)
	}
	res := g.Orders[fired].Result
	if res.OrderResult.Status != "success" || res.OrderResult.OrderID == "" {
		t.Fatalf("order result %+v", res.OrderResult)
	}
	// The leg that fired is the one whose side the price crossed.
	if (fired == 0 && res.TriggeredAt > lo) || (fired == 1 && res.TriggeredAt < hi) {
		t.Errorf("leg %d fired at %v, triggers %v/%v", fired, res.TriggeredAt, lo, hi)
	}
	var book []struct {
		OrderID         string `json:"order_id"`
		TransactionType string `json:"transaction_type"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &book)
	if len(book) != 1 || book[0].OrderID != res.OrderResult.OrderID || book[0].TransactionType != "SELL" {
		t.Errorf("order book %+v, want the one GTT order %s", book, res.OrderResult.OrderID)
	}
	readUntil(t, ws, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		return typ == websocket.MessageText && bytes.Contains(msg, []byte(`"type":"order"`)) &&
			bytes.Contains(msg, []byte(`"order_id":"`+res.OrderResult.OrderID+`"`))
	})
	// Once triggered, it stays so: the other leg is cancelled with it.
	time.Sleep(100 * time.Millisecond)
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &book)
	if len(book) != 1 {
		t.Errorf("the other leg fired too: %+v", book)
	}
	wantError(t, call(t, http.MethodPut, s.URL()+"/gtt/triggers/"+strconv.Itoa(created.TriggerID), auth,
		gttForm("single", ltp, []float64{lo}, leg("SELL", "LIMIT", lo))), http.StatusBadRequest, kitespec.InputException)
}

// gttShapes makes the GTT answers the shape test compares: a place, a
// modify and a delete, and a GTT that has triggered (its ID). The
// triggered one is a single GTT sent with a stale last price above its
// trigger while the price is already below it, so it fires on the next
// market step, as Kite's would.
func gttShapes(t *testing.T, s *Server, auth string) (place, modify, del []byte, triggered string) {
	t.Helper()
	ltp := ltpOf(t, s, auth, "NSE:INFY")
	far := tick(ltp * 0.98)
	send := func(method, path string, form url.Values) []byte {
		r := call(t, method, s.URL()+path, auth, form)
		wantData(t, r, nil)
		return r.Body
	}
	var id struct {
		TriggerID int `json:"trigger_id"`
	}
	place = send(http.MethodPost, "/gtt/triggers", gttForm("single", ltp, []float64{far}, leg("BUY", "LIMIT", far)))
	if err := json.Unmarshal(mustData(t, place), &id); err != nil {
		t.Fatal(err)
	}
	modify = send(http.MethodPut, "/gtt/triggers/"+strconv.Itoa(id.TriggerID), gttForm("single", ltp, []float64{tick(ltp * 0.97)}, leg("BUY", "LIMIT", tick(ltp*0.97))))
	// A second one to delete, so the list keeps an active GTT.
	if err := json.Unmarshal(mustData(t, send(http.MethodPost, "/gtt/triggers", gttForm("single", ltp, []float64{far}, leg("BUY", "LIMIT", far)))), &id); err != nil {
		t.Fatal(err)
	}
	del = send(http.MethodDelete, "/gtt/triggers/"+strconv.Itoa(id.TriggerID), nil)

	up := tick(ltp * 1.01)
	if err := json.Unmarshal(mustData(t, send(http.MethodPost, "/gtt/triggers", gttForm("single", tick(ltp*1.02), []float64{up}, leg("BUY", "LIMIT", up)))), &id); err != nil {
		t.Fatal(err)
	}
	triggered = strconv.Itoa(id.TriggerID)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var g gttJSON
		wantData(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers/"+triggered, auth, nil), &g)
		if g.Status == "triggered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GTT %s did not trigger: %+v", triggered, g)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return place, modify, del, triggered
}

// TestGTTResultShape: a triggered leg's result has the keys and types of
// the result in Kite's gtt_get_order.json (whose list comparison only sees
// a leg without one).
func TestGTTResultShape(t *testing.T) {
	mocks := kiteMocksDir(t)
	s := start(t, Options{TickInterval: 5 * time.Millisecond, RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	_, _, _, id := gttShapes(t, s, auth)
	var fixture struct {
		Data struct {
			Orders []struct {
				Result json.RawMessage `json:"result"`
			} `json:"orders"`
		} `json:"data"`
	}
	want, err := os.ReadFile(filepath.Join(mocks, "gtt_get_order.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &fixture); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Orders []struct {
			Result json.RawMessage `json:"result"`
		} `json:"orders"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/gtt/triggers/"+id, auth, nil), &got)
	if diffs := shapeDiff(t, fixture.Data.Orders[1].Result, got.Orders[0].Result, nil, nil); len(diffs) > 0 {
		t.Errorf("a triggered leg's result differs from Kite's:\n  %s\nsandbox: %s", strings.Join(diffs, "\n  "), got.Orders[0].Result)
	}
}
