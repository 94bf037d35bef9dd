package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pquerna/otp/totp"
)

type orderJSON struct {
	OrderID         string  `json:"order_id"`
	Status          string  `json:"status"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	InstrumentToken uint32  `json:"instrument_token"`
	Quantity        int     `json:"quantity"`
	FilledQuantity  int     `json:"filled_quantity"`
	Price           float64 `json:"price"`
	AveragePrice    float64 `json:"average_price"`
	OrderTimestamp  string  `json:"order_timestamp"`
	UserID          string  `json:"user_id"`
	Checksum        string  `json:"checksum"`
}

func TestOrdersLifecycle(t *testing.T) {
	s := start(t, Options{TickInterval: 10 * time.Millisecond, RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	c := dialTicker(t, s, s.AccessToken())

	place := url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"2"},
		"product": {"CNC"}, "order_type": {"MARKET"}, "market_protection": {"-1"}, "validity": {"DAY"}}
	var placed struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, place), &placed)
	if placed.OrderID == "" {
		t.Fatal("no order id")
	}

	// The ticker pushes the order's updates until it is complete.
	var last orderJSON
	readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ != websocket.MessageText {
			return false
		}
		var m struct {
			Type string    `json:"type"`
			Data orderJSON `json:"data"`
		}
		if err := json.Unmarshal(msg, &m); err != nil || m.Type != "order" {
			t.Fatalf("text message %s", msg)
		}
		last = m.Data
		return m.Data.Status == "COMPLETE"
	})
	if last.OrderID != placed.OrderID || last.FilledQuantity != 2 || last.AveragePrice <= 0 || last.UserID != UserID || len(last.Checksum) != 64 {
		t.Fatalf("order update: %+v", last)
	}

	var trades []struct {
		OrderID  string `json:"order_id"`
		Quantity int    `json:"quantity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders/"+placed.OrderID+"/trades", auth, nil), &trades)
	if len(trades) != 1 || trades[0].Quantity != 2 {
		t.Fatalf("order trades: %+v", trades)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/trades", auth, nil), &trades)
	if len(trades) != 1 {
		t.Fatalf("trades: %+v", trades)
	}
	var pos struct {
		Net []struct {
			Tradingsymbol string `json:"tradingsymbol"`
			Quantity      int    `json:"quantity"`
		} `json:"net"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/positions", auth, nil), &pos)
	if len(pos.Net) != 1 || pos.Net[0].Tradingsymbol != "INFY" || pos.Net[0].Quantity != 2 {
		t.Fatalf("positions: %+v", pos)
	}

	// A LIMIT order far below the market rests, then is modified and
	// cancelled.
	var q map[string]struct {
		LowerCircuitLimit float64 `json:"lower_circuit_limit"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, url.Values{"i": {"NSE:INFY"}}), &q)
	low := q["NSE:INFY"].LowerCircuitLimit
	place.Set("order_type", "LIMIT")
	place.Set("price", formatRupees(low))
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, place), &placed)
	var hist []orderJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders/"+placed.OrderID, auth, nil), &hist)
	if len(hist) == 0 || hist[len(hist)-1].Status != "OPEN" {
		t.Fatalf("limit order history: %+v", hist)
	}
	wantData(t, call(t, http.MethodPut, s.URL()+"/orders/regular/"+placed.OrderID, auth, url.Values{"quantity": {"3"}}), nil)
	wantData(t, call(t, http.MethodDelete, s.URL()+"/orders/regular/"+placed.OrderID, auth, nil), nil)
	var orders []orderJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &orders)
	if len(orders) != 2 || orders[1].Status != "CANCELLED" || orders[1].Quantity != 3 {
		t.Fatalf("order book: %+v", orders)
	}

	// Errors come back as Kite's.
	wantError(t, call(t, http.MethodGet, s.URL()+"/orders/nope", auth, nil), http.StatusBadRequest, "OrderException")
	wantError(t, call(t, http.MethodPost, s.URL()+"/orders/weird", auth, place), http.StatusBadRequest, "InputException")
	place.Set("quantity", "two")
	wantError(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, place), http.StatusBadRequest, "InputException")

	// The account endpoints answer, on Connect and on /oms.
	var margins struct {
		Equity struct {
			Enabled bool    `json:"enabled"`
			Net     float64 `json:"net"`
		} `json:"equity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/margins", auth, nil), &margins)
	if !margins.Equity.Enabled || margins.Equity.Net <= 0 {
		t.Fatalf("margins: %+v", margins)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/margins/commodity", auth, nil), nil)
	wantError(t, call(t, http.MethodGet, s.URL()+"/user/margins/crypto", auth, nil), http.StatusBadRequest, "InputException")
	var holdings []struct {
		Tradingsymbol string `json:"tradingsymbol"`
		Quantity      int    `json:"quantity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings", auth, nil), &holdings)
	if len(holdings) == 0 {
		t.Fatal("no holdings")
	}
}

func formatRupees(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// webLogin logs in through /api/login and /api/twofa and returns the
// enctoken.
func webLogin(t *testing.T, s *Server) string {
	t.Helper()
	var login struct {
		RequestID string `json:"request_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/api/login", "", url.Values{"user_id": {UserID}, "password": {Password}}), &login)
	code, err := totp.GenerateCode(TOTPSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, http.MethodPost, s.URL()+"/api/twofa", "", url.Values{"user_id": {UserID}, "request_id": {login.RequestID}, "twofa_value": {code}})
	wantData(t, r, nil)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "enctoken" {
			return c.Value
		}
	}
	t.Fatal("no enctoken cookie")
	return ""
}

// TestWebSessionOrders trades through the Kite web API (/oms, enctoken) and
// gets the order's updates on the web ticker.
func TestWebSessionOrders(t *testing.T) {
	s := start(t, Options{TickInterval: 10 * time.Millisecond})
	enc := webLogin(t, s)
	auth := "enctoken " + enc
	c, err := tryDial(s, url.Values{"api_key": {"kitefront"}, "user_id": {UserID}, "enctoken": {enc}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	var placed struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/oms/orders/regular", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"SBIN"},
		"transaction_type": {"BUY"}, "quantity": {"1"}, "product": {"MIS"}, "order_type": {"MARKET"}, "market_protection": {"-1"}}), &placed)
	readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		var m struct {
			Type string    `json:"type"`
			Data orderJSON `json:"data"`
		}
		return typ == websocket.MessageText && json.Unmarshal(msg, &m) == nil && m.Type == "order" &&
			m.Data.OrderID == placed.OrderID && m.Data.Status == "COMPLETE"
	})
	var orders []orderJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/oms/orders", auth, nil), &orders)
	if len(orders) != 1 || orders[0].OrderID != placed.OrderID {
		t.Fatalf("web order book: %+v", orders)
	}
	for _, p := range []string{"/oms/portfolio/holdings", "/oms/portfolio/positions", "/oms/user/margins", "/oms/trades"} {
		wantData(t, call(t, http.MethodGet, s.URL()+p, auth, nil), nil)
	}
}
