package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// callJSON sends a JSON body, as Kite's clients send the calculators'.
func callJSON(t *testing.T, method, u, auth string, body any) reply {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Kite-Version", "3")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	r.Status = resp.StatusCode
	if r.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(r.Body, &r.Env); err != nil {
		t.Fatalf("bad JSON %q: %v", r.Body, err)
	}
	return r
}

type marginJSON struct {
	Tradingsymbol string  `json:"tradingsymbol"`
	Span          float64 `json:"span"`
	OptionPremium float64 `json:"option_premium"`
	VaR           float64 `json:"var"`
	Leverage      float64 `json:"leverage"`
	Total         float64 `json:"total"`
	Charges       struct {
		Total float64 `json:"total"`
	} `json:"charges"`
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestOrderMarginIsWhatTheEngineBlocks: the calculator's margin for an
// order is what placing it blocks: a resting CNC buy of 2 INFY at the
// lower circuit needs 2 × price (delivery is the full value), and after
// placing it /user/margins shows exactly that much more utilised.
func TestOrderMarginIsWhatTheEngineBlocks(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour})
	auth := tokenAuth(s)
	priceS := lowerCircuit(t, s, auth)
	price, _ := strconv.ParseFloat(priceS, 64)
	order := map[string]any{"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "variety": "regular",
		"product": "CNC", "order_type": "LIMIT", "quantity": 2, "price": price}
	var got []marginJSON
	wantData(t, callJSON(t, http.MethodPost, s.URL()+"/margins/orders", auth, []any{order}), &got)
	if len(got) != 1 || !near(got[0].Total, 2*price) || !near(got[0].VaR, 2*price) || got[0].Leverage != 1 || got[0].Charges.Total <= 0 {
		t.Fatalf("margin %+v, want total = var = %v (2 × %v), leverage 1, charges", got, 2*price, price)
	}

	// MIS: 20% of the value, leverage 5.
	mis := map[string]any{"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "variety": "regular",
		"product": "MIS", "order_type": "LIMIT", "quantity": 10, "price": price}
	wantData(t, callJSON(t, http.MethodPost, s.URL()+"/margins/orders", auth, []any{mis}), &got)
	if !near(got[0].Total, 10*price*0.2) || !near(got[0].Leverage, 5) {
		t.Fatalf("MIS margin %+v, want %v at leverage 5", got[0], 10*price*0.2)
	}

	var before, after struct {
		Equity struct {
			Utilised struct {
				Delivery float64 `json:"delivery"`
			} `json:"utilised"`
		} `json:"equity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/margins", auth, nil), &before)
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"},
		"transaction_type": {"BUY"}, "quantity": {"2"}, "product": {"CNC"}, "order_type": {"LIMIT"}, "price": {priceS}}), nil)
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/margins", auth, nil), &after)
	if d := after.Equity.Utilised.Delivery - before.Equity.Utilised.Delivery; !near(d, 2*price) {
		t.Fatalf("placing blocked %v, the calculator said %v", d, 2*price)
	}
}

// TestBasketNetsASpread: selling a call and buying a higher call of the
// same expiry (a bull call spread) needs, taken alone, the short leg's span
// (12% of strike × quantity) and the long leg's premium; together the
// short leg's risk is capped by the spread's width.
func TestBasketNetsASpread(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour})
	auth := tokenAuth(s)
	low, high := callSpread(t, s)
	div := float64(low.Divisor())
	k1, k2 := float64(low.Strike)/div, float64(high.Strike)/div
	lot := float64(low.LotSize)
	leg := func(in market.Instrument, side string, price float64) map[string]any {
		return map[string]any{"exchange": in.Exchange, "tradingsymbol": in.Tradingsymbol, "transaction_type": side, "variety": "regular",
			"product": "NRML", "order_type": "LIMIT", "quantity": lot, "price": price}
	}
	var got struct {
		Initial marginJSON   `json:"initial"`
		Final   marginJSON   `json:"final"`
		Orders  []marginJSON `json:"orders"`
	}
	wantData(t, callJSON(t, http.MethodPost, s.URL()+"/margins/basket?consider_positions=true", auth,
		[]any{leg(low, "SELL", 100), leg(high, "BUY", 40)}), &got)
	wantSpan, wantPrem := k1*lot*0.12, 40*lot
	if len(got.Orders) != 2 || !near(got.Orders[0].Span, wantSpan) || !near(got.Orders[1].OptionPremium, wantPrem) ||
		!near(got.Initial.Total, wantSpan+wantPrem) {
		t.Fatalf("initial %+v orders %+v; want span %v, premium %v", got.Initial, got.Orders, wantSpan, wantPrem)
	}
	wantFinal := min(k1*0.12, k2-k1)*lot + wantPrem
	if !near(got.Final.Total, wantFinal) || got.Final.Total >= got.Initial.Total {
		t.Fatalf("final %+v, want %v (width %v × %v + premium), below initial %v", got.Final, wantFinal, k2-k1, lot, got.Initial.Total)
	}

	// Bad input: Kite's InputException, not a Go message.
	r := callJSON(t, http.MethodPost, s.URL()+"/margins/basket", auth, map[string]any{"not": "an array"})
	wantError(t, r, http.StatusBadRequest, "InputException")
	r = callJSON(t, http.MethodPost, s.URL()+"/margins/orders", auth, []any{map[string]any{"exchange": "NSE", "tradingsymbol": "NOPE"}})
	wantError(t, r, http.StatusBadRequest, "InputException")
}

// callSpread finds two NIFTY calls of the same expiry, the second at a
// higher strike.
func callSpread(t *testing.T, s *Server) (low, high market.Instrument) {
	t.Helper()
	var calls []market.Instrument
	for _, in := range s.world.market.Instruments() {
		if in.Exchange == "NFO" && in.InstrumentType == "CE" && in.Name == "NIFTY" {
			calls = append(calls, in)
		}
	}
	for _, a := range calls {
		for _, b := range calls {
			if a.Expiry.Equal(b.Expiry) && b.Strike > a.Strike {
				return a, b
			}
		}
	}
	t.Fatal("no NIFTY call spread in the universe")
	return
}

// TestChargesEndpoint: the virtual contract note itemises Zerodha's
// charges; 10 INFY delivery bought at 1500 costs 17.79339 (worked out in
// paper.TestChargesSchedule).
func TestChargesEndpoint(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour})
	auth := tokenAuth(s)
	var got []struct {
		Price   float64 `json:"price"`
		Charges struct {
			TransactionTax float64 `json:"transaction_tax"`
			Total          float64 `json:"total"`
		} `json:"charges"`
	}
	wantData(t, callJSON(t, http.MethodPost, s.URL()+"/charges/orders", auth, []any{map[string]any{
		"order_id": "1", "exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "variety": "regular",
		"product": "CNC", "order_type": "LIMIT", "quantity": 10, "average_price": 1500}}), &got)
	if len(got) != 1 || got[0].Price != 1500 || !near(got[0].Charges.TransactionTax, 15) || !near(got[0].Charges.Total, 17.79339) {
		t.Fatalf("contract note %+v", got)
	}
	r := callJSON(t, http.MethodPost, s.URL()+"/charges/orders", auth, []any{map[string]any{"exchange": "NSE", "tradingsymbol": "INFY", "quantity": "ten"}})
	wantError(t, r, http.StatusBadRequest, "InputException")
}

// issue11Responses are the answers of the calculators and portfolio
// writes, for the shape comparison (TestShapesMatchKite).
type issue11Responses struct {
	orderMargins, basketMargins, contractNote, convert, authorise []byte
}

// issue11Bodies calls them on an account that holds 1 INFY bought today
// (CNC), as TestShapesMatchKite's account does.
func issue11Bodies(t *testing.T, s *Server, auth string) issue11Responses {
	t.Helper()
	low, high := callSpread(t, s)
	leg := func(in market.Instrument, side string, price float64) map[string]any {
		return map[string]any{"exchange": in.Exchange, "tradingsymbol": in.Tradingsymbol, "transaction_type": side, "variety": "regular",
			"product": "NRML", "order_type": "LIMIT", "quantity": in.LotSize, "price": price}
	}
	ok := func(r reply) []byte {
		t.Helper()
		wantData(t, r, nil)
		return r.Body
	}
	var out issue11Responses
	out.orderMargins = ok(callJSON(t, http.MethodPost, s.URL()+"/margins/orders", auth, []any{map[string]any{
		"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "variety": "regular",
		"product": "CNC", "order_type": "MARKET", "quantity": 1}}))
	out.basketMargins = ok(callJSON(t, http.MethodPost, s.URL()+"/margins/basket?consider_positions=true", auth,
		[]any{leg(low, "SELL", 100), leg(high, "BUY", 40)}))
	out.contractNote = ok(callJSON(t, http.MethodPost, s.URL()+"/charges/orders", auth, []any{map[string]any{
		"order_id": "1", "exchange": "NSE", "tradingsymbol": "SBIN", "transaction_type": "BUY", "variety": "regular",
		"product": "CNC", "order_type": "MARKET", "quantity": 1, "average_price": 560}}))
	out.convert = ok(call(t, http.MethodPut, s.URL()+"/portfolio/positions", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"},
		"transaction_type": {"BUY"}, "position_type": {"day"}, "quantity": {"1"}, "old_product": {"CNC"}, "new_product": {"MIS"}}))
	out.authorise = ok(call(t, http.MethodPost, s.URL()+"/portfolio/holdings/authorise", auth, url.Values{"type": {"equity"}, "transfer_type": {"pre"}}))
	return out
}

// TestHedgedShortNeedsTheSpreadWidth: holding a call, selling a lower
// call of the same expiry needs at most the spread's width × quantity:
// the calculator says so, placing the order blocks that, and the filled
// spread's span in /user/margins is the same.
func TestHedgedShortNeedsTheSpreadWidth(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour})
	auth := tokenAuth(s)
	low, high := callSpread(t, s)
	div := float64(low.Divisor())
	k1, k2 := float64(low.Strike)/div, float64(high.Strike)/div
	lot := float64(low.LotSize)
	marketOrder := func(in market.Instrument, side string) url.Values {
		return url.Values{"exchange": {in.Exchange}, "tradingsymbol": {in.Tradingsymbol}, "transaction_type": {side},
			"quantity": {strconv.Itoa(int(in.LotSize))}, "product": {"NRML"}, "order_type": {"MARKET"}, "market_protection": {"-1"}}
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, marketOrder(high, "BUY")), nil)
	want := min(k1*0.12, k2-k1) * lot

	var got []marginJSON
	wantData(t, callJSON(t, http.MethodPost, s.URL()+"/margins/orders", auth, []any{map[string]any{
		"exchange": low.Exchange, "tradingsymbol": low.Tradingsymbol, "transaction_type": "SELL", "variety": "regular",
		"product": "NRML", "order_type": "MARKET", "quantity": lot}}), &got)
	if !near(got[0].Span, want) || !near(got[0].Total, want) {
		t.Fatalf("hedged short: %+v, want span %v = min(12%% × %v, %v − %v) × %v", got[0], want, k1, k2, k1, lot)
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, marketOrder(low, "SELL")), nil)
	var m struct {
		Equity struct {
			Utilised struct {
				Span float64 `json:"span"`
			} `json:"utilised"`
		} `json:"equity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/margins", auth, nil), &m)
	if !near(m.Equity.Utilised.Span, want) {
		t.Fatalf("the spread's span %v, want %v", m.Equity.Utilised.Span, want)
	}
	// The cover is used up: one more short lot needs its full span.
	wantData(t, callJSON(t, http.MethodPost, s.URL()+"/margins/orders", auth, []any{map[string]any{
		"exchange": low.Exchange, "tradingsymbol": low.Tradingsymbol, "transaction_type": "SELL", "variety": "regular",
		"product": "NRML", "order_type": "MARKET", "quantity": lot}}), &got)
	if !near(got[0].Span, k1*0.12*lot) {
		t.Fatalf("uncovered short: %+v, want %v", got[0], k1*0.12*lot)
	}
}
