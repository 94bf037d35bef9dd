package sandbox

import (
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// niftyFuture is the sandbox's nearest NIFTY future.
func niftyFuture(t *testing.T, s *Server) string {
	t.Helper()
	for _, in := range s.world.market.Instruments() {
		if in.Name == "NIFTY" && in.InstrumentType == "FUT" {
			return in.Tradingsymbol
		}
	}
	t.Fatal("no NIFTY future in the universe")
	return ""
}

func TestAutosliceAnswersInKitesShape(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	fut := niftyFuture(t, s)
	form := func(qty string) url.Values {
		return url.Values{"exchange": {"NFO"}, "tradingsymbol": {fut}, "transaction_type": {"BUY"}, "quantity": {qty},
			"product": {"NRML"}, "order_type": {"MARKET"}, "market_protection": {"-1"}, "autoslice": {"true"}, "tag": {"big1"}}
	}
	// NIFTY's freeze quantity is 1800 (24 lots of 75): 4050 is two full
	// slices of 1800 and one of 450.
	var res struct {
		OrderID  string `json:"order_id"`
		Children []struct {
			OrderID string `json:"order_id"`
		} `json:"children"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, form("4050")), &res)
	if res.OrderID == "" || len(res.Children) != 3 {
		t.Fatalf("autoslice answer: %+v", res)
	}
	var book []struct {
		OrderID  string   `json:"order_id"`
		Quantity int      `json:"quantity"`
		Tag      string   `json:"tag"`
		Tags     []string `json:"tags"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &book)
	if len(book) != 3 {
		t.Fatalf("the book should hold the three children, not the parent: %+v", book)
	}
	for i, want := range []int{1800, 1800, 450} {
		o := book[i]
		if o.OrderID != res.Children[i].OrderID || o.Quantity != want || o.Tag != "big1" ||
			!slices.Contains(o.Tags, "autoslice") || !slices.Contains(o.Tags, "autoslice:"+res.OrderID) {
			t.Fatalf("child %d: %+v", i, o)
		}
	}
	// At or below the freeze quantity there is nothing to slice; above ten
	// slices is refused.
	r := call(t, http.MethodPost, s.URL()+"/orders/regular", auth, form("1800"))
	wantError(t, r, http.StatusBadRequest, "InputException")
	if r.Env.Message != "Quantity should be greater than or equal to 1875 for order slicing." {
		t.Fatalf("message %q", r.Env.Message)
	}
	wantError(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, form("18075")), http.StatusBadRequest, "InputException")
}

// lowerCircuit is INFY's lower circuit limit: a LIMIT buy there rests.
func lowerCircuit(t *testing.T, s *Server, auth string) string {
	t.Helper()
	var q map[string]struct {
		LowerCircuitLimit float64 `json:"lower_circuit_limit"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, url.Values{"i": {"NSE:INFY"}}), &q)
	return strconv.FormatFloat(q["NSE:INFY"].LowerCircuitLimit, 'f', -1, 64)
}

func TestModifyToMarketNeedsMarketProtection(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	var placed struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"},
		"transaction_type": {"BUY"}, "quantity": {"1"}, "product": {"CNC"}, "order_type": {"LIMIT"}, "price": {lowerCircuit(t, s, auth)}}), &placed)
	r := call(t, http.MethodPut, s.URL()+"/orders/regular/"+placed.OrderID, auth, url.Values{"order_type": {"MARKET"}})
	wantError(t, r, http.StatusBadRequest, "InputException")
	if !strings.HasPrefix(r.Env.Message, "Market orders without market protection are not allowed via API.") {
		t.Fatalf("message %q", r.Env.Message)
	}
	wantData(t, call(t, http.MethodPut, s.URL()+"/orders/regular/"+placed.OrderID, auth, url.Values{"order_type": {"MARKET"}, "market_protection": {"5"}}), nil)
}

func TestStaticIPAdmitsOnlyListedAddresses(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), AllowedIPs: []netip.Addr{netip.MustParseAddr("127.0.0.2")}})
	auth := tokenAuth(s)
	r := call(t, http.MethodPost, s.URL()+"/orders/regular", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"},
		"transaction_type": {"BUY"}, "quantity": {"1"}, "product": {"CNC"}, "order_type": {"LIMIT"}, "price": {"1000"}})
	wantError(t, r, http.StatusForbidden, "PermissionException")
	if !strings.Contains(r.Env.Message, "IP 127.0.0.1") {
		t.Fatalf("the refusal should name the address seen: %q", r.Env.Message)
	}
	// Reads are not checked.
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), nil)
}

func TestBookLagHidesNewOrders(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), Faults: Faults{BookLag: time.Hour}})
	auth := tokenAuth(s)
	var placed struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"},
		"transaction_type": {"BUY"}, "quantity": {"1"}, "product": {"CNC"}, "order_type": {"LIMIT"}, "price": {"1000"}}), &placed)
	var book []orderJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &book)
	if len(book) != 0 {
		t.Fatalf("an order inside the lag is in the book: %+v", book)
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/orders/"+placed.OrderID, auth, nil), http.StatusBadRequest, "OrderException")
	s.SetFaults(Faults{})
	wantData(t, call(t, http.MethodGet, s.URL()+"/orders", auth, nil), &book)
	if len(book) != 1 {
		t.Fatalf("without the lag the order is in the book: %+v", book)
	}
}
