package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
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

func alertForm(name, typ, sym, op string, rhs float64) url.Values {
	return url.Values{
		"name": {name}, "type": {typ}, "lhs_exchange": {"NSE"}, "lhs_tradingsymbol": {sym},
		"lhs_attribute": {"LastTradedPrice"}, "operator": {op}, "rhs_type": {"constant"},
		"rhs_constant": {strconv.FormatFloat(rhs, 'f', -1, 64)},
	}
}

// atoBasket buys qty INFY at market (with automatic market protection).
func atoBasket(qty int) string {
	return fmt.Sprintf(`{"name":"alerts-basket","type":"alert","tags":[],"items":[{"type":"insert","tradingsymbol":"INFY","exchange":"NSE","weight":10000,`+
		`"params":{"transaction_type":"BUY","product":"CNC","order_type":"MARKET","validity":"DAY","quantity":%d,"price":0,"variety":"regular","tags":["atotest"],"market_protection":-1}}]}`, qty)
}

type alertJSON struct {
	UUID       string  `json:"uuid"`
	Type       string  `json:"type"`
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	Operator   string  `json:"operator"`
	AlertCount int     `json:"alert_count"`
	RHSConst   float64 `json:"rhs_constant"`
	Basket     *struct {
		Items []struct {
			ID     int `json:"id"`
			Params struct {
				Quantity int `json:"quantity"`
			} `json:"params"`
		} `json:"items"`
	} `json:"basket"`
}

type alertHistoryJSON struct {
	Condition string `json:"condition"`
	Meta      []struct {
		Tradingsymbol string  `json:"tradingsymbol"`
		LastPrice     float64 `json:"last_price"`
	} `json:"meta"`
	OrderMeta []struct {
		Status  string `json:"status"`
		OrderID string `json:"order_id"`
		Error   string `json:"error"`
	} `json:"order_meta"`
}

// TestAlertsCRUD: the sandbox refuses what Kite refuses and keeps what it
// accepts: create, show, list (with a status filter), modify, delete
// several at once, and an empty history.
func TestAlertsCRUD(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	ltp := ltpOf(t, s, auth, "NSE:INFY")
	bad := func(mut func(url.Values)) url.Values {
		f := alertForm("x", "simple", "INFY", ">=", ltp*2)
		mut(f)
		return f
	}
	for name, form := range map[string]url.Values{
		"no name":               bad(func(f url.Values) { f.Del("name") }),
		"bad type":              bad(func(f url.Values) { f.Set("type", "complex") }),
		"bad operator":          bad(func(f url.Values) { f.Set("operator", "!=") }),
		"bad attribute":         bad(func(f url.Values) { f.Set("lhs_attribute", "Mood") }),
		"unknown symbol":        bad(func(f url.Values) { f.Set("lhs_tradingsymbol", "NOSUCH") }),
		"constant not a number": bad(func(f url.Values) { f.Set("rhs_constant", "abc") }),
		"bad rhs type":          bad(func(f url.Values) { f.Set("rhs_type", "oracle") }),
		"ato no basket":         bad(func(f url.Values) { f.Set("type", "ato") }),
		"ato bad basket":        bad(func(f url.Values) { f.Set("type", "ato"); f.Set("basket", "{") }),
		"ato market without protection": bad(func(f url.Values) {
			f.Set("type", "ato")
			f.Set("basket", `{"items":[{"tradingsymbol":"INFY","exchange":"NSE","params":{"transaction_type":"BUY","product":"CNC","order_type":"MARKET","quantity":1}}]}`)
		}),
	} {
		r := call(t, http.MethodPost, s.URL()+"/alerts", auth, form)
		if r.Status != http.StatusBadRequest || r.Env.ErrorType != kitespec.InputException {
			t.Errorf("%s: got %d %s, want 400 InputException", name, r.Status, r.Body)
		}
	}

	var a, b alertJSON
	wantData(t, call(t, http.MethodPost, s.URL()+"/alerts", auth, alertForm("far above", "simple", "INFY", ">=", ltp*2)), &a)
	if a.UUID == "" || a.Status != "enabled" || a.AlertCount != 0 || a.Basket != nil {
		t.Fatalf("created %+v", a)
	}
	f := alertForm("ato far below", "ato", "INFY", "<=", ltp/2)
	f.Set("basket", atoBasket(1))
	wantData(t, call(t, http.MethodPost, s.URL()+"/alerts", auth, f), &b)
	if b.Type != "ato" || b.Basket == nil || len(b.Basket.Items) != 1 || b.Basket.Items[0].ID == 0 {
		t.Fatalf("created ATO %+v", b)
	}
	var got alertJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts/"+a.UUID, auth, nil), &got)
	if got.Name != "far above" || got.RHSConst != ltp*2 {
		t.Errorf("show: %+v", got)
	}
	wantData(t, call(t, http.MethodPut, s.URL()+"/alerts/"+a.UUID, auth, alertForm("renamed", "simple", "INFY", ">", ltp*3)), &got)
	if got.Name != "renamed" || got.Operator != ">" || got.UUID != a.UUID {
		t.Errorf("modify: %+v", got)
	}
	var list []alertJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts", auth, nil), &list)
	if len(list) != 2 {
		t.Fatalf("list: %+v", list)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts", auth, url.Values{"status": {"disabled"}}), &list)
	if len(list) != 0 {
		t.Errorf("no alert is disabled yet: %+v", list)
	}
	var hist []alertHistoryJSON
	r := call(t, http.MethodGet, s.URL()+"/alerts/"+a.UUID+"/history", auth, nil)
	wantData(t, r, &hist)
	if string(r.Env.Data) != "[]" {
		t.Errorf("history of an alert that never fired: %s", r.Env.Data)
	}
	// Deleting an unknown UUID along with a known one deletes neither.
	wantError(t, call(t, http.MethodDelete, s.URL()+"/alerts", auth, url.Values{"uuid": {a.UUID, "nope"}}), http.StatusBadRequest, kitespec.InputException)
	r = call(t, http.MethodDelete, s.URL()+"/alerts", auth, url.Values{"uuid": {a.UUID, b.UUID}})
	wantData(t, r, nil)
	if string(r.Env.Data) != "null" {
		t.Errorf("delete answered %s, Kite answers null", r.Env.Data)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts", auth, nil), &list)
	if len(list) != 0 {
		t.Errorf("deleted alerts still listed: %+v", list)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts", auth, url.Values{"status": {"deleted"}}), &list)
	if len(list) != 2 {
		t.Errorf("status=deleted lists %d, want 2", len(list))
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/alerts/nope", auth, nil), http.StatusBadRequest, kitespec.InputException)
}

// TestAlertFires: an ATO alert fires when the walk crosses its level: its
// basket order is placed (in the book, on the ticker), its history records
// the quote and the order, it is disabled with a count of one, and it does
// not fire again.
func TestAlertFires(t *testing.T) {
	s := start(t, Options{TickInterval: 5 * time.Millisecond, RateLimits: NoRateLimits(), MarketClock: FastClock(6000)})
	auth := tokenAuth(s)
	ws := dialTicker(t, s, s.AccessToken())
	ltp := ltpOf(t, s, auth, "NSE:INFY")
	// One level a little above, one a little below: the walk crosses one.
	var up, down alertJSON
	f := alertForm("up", "ato", "INFY", ">=", tick(ltp*1.002))
	f.Set("basket", atoBasket(1))
	wantData(t, call(t, http.MethodPost, s.URL()+"/alerts", auth, f), &up)
	f = alertForm("down", "ato", "INFY", "<=", tick(ltp*0.998))
	f.Set("basket", atoBasket(2))
	wantData(t, call(t, http.MethodPost, s.URL()+"/alerts", auth, f), &down)

	var fired alertJSON
	deadline := time.Now().Add(30 * time.Second)
	for fired.UUID == "" {
		if time.Now().After(deadline) {
			t.Fatal("neither alert fired in 30s of a fast market")
		}
		for _, id := range []string{up.UUID, down.UUID} {
			var a alertJSON
			wantData(t, call(t, http.MethodGet, s.URL()+"/alerts/"+id, auth, nil), &a)
			if a.Status != "enabled" {
				fired = a
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if fired.Status != "disabled" || fired.AlertCount != 1 {
		t.Fatalf("fired alert %+v, want disabled with a count of 1", fired)
	}
	var hist []alertHistoryJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts/"+fired.UUID+"/history", auth, nil), &hist)
	if len(hist) != 1 || len(hist[0].Meta) != 1 || len(hist[0].OrderMeta) != 1 {
		t.Fatalf("history %+v", hist)
	}
	h := hist[0]
	level := fired.RHSConst
	if (fired.Operator == ">=" && h.Meta[0].LastPrice < level) || (fired.Operator == "<=" && h.Meta[0].LastPrice > level) {
		t.Errorf("fired at %v, level %s %v", h.Meta[0].LastPrice, fired.Operator, level)
	}
	wantCond := fmt.Sprintf(`LastTradedPrice("NSE:INFY") %s %s`, fired.Operator, strconv.FormatFloat(level, 'f', -1, 64))
	if h.Condition != wantCond {
		t.Errorf("condition %q, want %q", h.Condition, wantCond)
	}
	om := h.OrderMeta[0]
	if om.Status != "success" || om.OrderID == "" {
		t.Fatalf("order meta %+v", om)
	}
	var book []struct {
		OrderID string  `json:"order_id"`
		Tag     *string `json:"tag"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &book)
	found := false
	for _, o := range book {
		if o.OrderID == om.OrderID {
			found = true
			// The basket order's first tag is the order's tag.
			if o.Tag == nil || *o.Tag != "atotest" {
				t.Errorf("order %s has tag %v, want atotest", o.OrderID, o.Tag)
			}
		}
	}
	if !found {
		t.Fatalf("order %s not in the book %+v", om.OrderID, book)
	}
	readUntil(t, ws, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		return typ == websocket.MessageText && bytes.Contains(msg, []byte(`"order_id":"`+om.OrderID+`"`))
	})
	// Disabled: it never fires again.
	time.Sleep(100 * time.Millisecond)
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts/"+fired.UUID+"/history", auth, nil), &hist)
	if len(hist) != 1 {
		t.Errorf("a disabled alert fired again: %d entries", len(hist))
	}
}

// TestAlertAgainstInstrument: an alert comparing two instruments fires
// when the comparison holds, and its history carries both quotes.
func TestAlertAgainstInstrument(t *testing.T) {
	s := start(t, Options{TickInterval: 5 * time.Millisecond, RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	infy, sbin := ltpOf(t, s, auth, "NSE:INFY"), ltpOf(t, s, auth, "NSE:SBIN")
	op := "<" // whichever way round they are now, the alert holds at once
	if infy > sbin {
		op = ">"
	}
	f := url.Values{"name": {"infy vs sbin"}, "type": {"simple"}, "lhs_exchange": {"NSE"}, "lhs_tradingsymbol": {"INFY"},
		"lhs_attribute": {"LastTradedPrice"}, "operator": {op}, "rhs_type": {"instrument"},
		"rhs_exchange": {"NSE"}, "rhs_tradingsymbol": {"SBIN"}, "rhs_attribute": {"LastTradedPrice"}}
	var a alertJSON
	wantData(t, call(t, http.MethodPost, s.URL()+"/alerts", auth, f), &a)
	deadline := time.Now().Add(10 * time.Second)
	var hist []alertHistoryJSON
	for len(hist) == 0 && time.Now().Before(deadline) {
		wantData(t, call(t, http.MethodGet, s.URL()+"/alerts/"+a.UUID+"/history", auth, nil), &hist)
		time.Sleep(10 * time.Millisecond)
	}
	if len(hist) != 1 || len(hist[0].Meta) != 2 || hist[0].OrderMeta != nil {
		t.Fatalf("history %+v", hist)
	}
	l, r := hist[0].Meta[0].LastPrice, hist[0].Meta[1].LastPrice
	if (op == "<" && !(l < r)) || (op == ">" && !(l > r)) || hist[0].Meta[1].Tradingsymbol != "SBIN" {
		t.Errorf("fired with INFY %v %s SBIN %v", l, op, r)
	}
	if want := fmt.Sprintf(`LastTradedPrice("NSE:INFY") %s LastTradedPrice("NSE:SBIN")`, op); hist[0].Condition != want {
		t.Errorf("condition %q, want %q", hist[0].Condition, want)
	}
}

// alertShapes makes the alert answers the shape test compares: creates
// (simple and ATO), a modify, a delete, the list (with a fired ATO alert,
// disabled, and its basket), one alert, and a history.
func alertShapes(t *testing.T, s *Server, auth string) map[string][]byte {
	t.Helper()
	ltp := ltpOf(t, s, auth, "NSE:INFY")
	out := map[string][]byte{}
	send := func(method, path string, form url.Values) []byte {
		r := call(t, method, s.URL()+path, auth, form)
		wantData(t, r, nil)
		return r.Body
	}
	var a, b alertJSON
	out["alerts_create.json"] = send(http.MethodPost, "/alerts", alertForm("far above", "simple", "INFY", ">=", ltp*2))
	if err := json.Unmarshal(mustData(t, out["alerts_create.json"]), &a); err != nil {
		t.Fatal(err)
	}
	// An ATO alert that holds at once, so it fires on the next step.
	f := alertForm("buy now", "ato", "INFY", ">=", tick(ltp/2))
	f.Set("basket", atoBasket(1))
	out["alerts_create_ato.json"] = send(http.MethodPost, "/alerts", f)
	if err := json.Unmarshal(mustData(t, out["alerts_create_ato.json"]), &b); err != nil {
		t.Fatal(err)
	}
	out["alerts_modify.json"] = send(http.MethodPut, "/alerts/"+a.UUID, alertForm("farther above", "simple", "INFY", ">=", ltp*3))
	var del alertJSON
	if err := json.Unmarshal(mustData(t, send(http.MethodPost, "/alerts", alertForm("to delete", "simple", "INFY", ">=", ltp*2))), &del); err != nil {
		t.Fatal(err)
	}
	out["alerts_delete.json"] = send(http.MethodDelete, "/alerts", url.Values{"uuid": {del.UUID}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		var h []alertHistoryJSON
		out["alerts_history.json"] = send(http.MethodGet, "/alerts/"+b.UUID+"/history", nil)
		if err := json.Unmarshal(mustData(t, out["alerts_history.json"]), &h); err != nil {
			t.Fatal(err)
		}
		if len(h) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the ATO alert did not fire")
		}
		time.Sleep(10 * time.Millisecond)
	}
	out["alerts_get.json"] = send(http.MethodGet, "/alerts", nil)
	out["alerts_get_one.json"] = send(http.MethodGet, "/alerts/"+a.UUID, nil)
	return out
}

// TestAlertBasketShape: a fired ATO alert, as listed, has the keys and
// types of the ATO alert in Kite's alerts_get.json, basket included
// (market_protection is newer than that fixture: Kite's create example
// sends it in the basket's params).
func TestAlertBasketShape(t *testing.T) {
	mocks := kiteMocksDir(t)
	s := start(t, Options{TickInterval: 5 * time.Millisecond, RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	alertShapes(t, s, auth)
	var fixture struct {
		Data []json.RawMessage `json:"data"`
	}
	want, err := os.ReadFile(filepath.Join(mocks, "alerts_get.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &fixture); err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	wantData(t, call(t, http.MethodGet, s.URL()+"/alerts", auth, nil), &list)
	for _, a := range list {
		if !bytes.Contains(a, []byte(`"type":"ato"`)) {
			continue
		}
		if diffs := shapeDiff(t, fixture.Data[1], a, nil, []string{"market_protection"}); len(diffs) > 0 {
			t.Errorf("an ATO alert differs from Kite's:\n  %s\nsandbox: %s", strings.Join(diffs, "\n  "), a)
		}
		return
	}
	t.Fatal("no ATO alert listed")
}
