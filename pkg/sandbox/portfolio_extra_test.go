package sandbox

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

type posJSON struct {
	Tradingsymbol string  `json:"tradingsymbol"`
	Product       string  `json:"product"`
	Quantity      int     `json:"quantity"`
	BuyValue      float64 `json:"buy_value"`
}

type holdingJSON struct {
	Tradingsymbol      string  `json:"tradingsymbol"`
	ISIN               string  `json:"isin"`
	Quantity           int     `json:"quantity"`
	T1Quantity         int     `json:"t1_quantity"`
	AuthorisedQuantity int     `json:"authorised_quantity"`
	AveragePrice       float64 `json:"average_price"`
	LastPrice          float64 `json:"last_price"`
	ClosePrice         float64 `json:"close_price"`
}

// TestConvertPositionMovesPositionAndMargin: 10 INFY bought MIS and
// converted to CNC become a CNC position, T1 holdings, and a delivery
// margin of the full buy value instead of the MIS exposure.
func TestConvertPositionMovesPositionAndMargin(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour})
	auth := tokenAuth(s)
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"},
		"transaction_type": {"BUY"}, "quantity": {"10"}, "product": {"MIS"}, "order_type": {"MARKET"}, "market_protection": {"-1"}}), nil)
	var pos struct{ Net []posJSON }
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/positions", auth, nil), &pos)
	if len(pos.Net) != 1 || pos.Net[0].Quantity != 10 {
		t.Fatalf("positions after the buy: %+v", pos)
	}
	value := pos.Net[0].BuyValue
	var holdingsBefore []holdingJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings", auth, nil), &holdingsBefore)

	convert := url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "position_type": {"day"},
		"quantity": {"10"}, "old_product": {"MIS"}, "new_product": {"CNC"}}
	var ok bool
	wantData(t, call(t, http.MethodPut, s.URL()+"/portfolio/positions", auth, convert), &ok)
	if !ok {
		t.Fatal("convert answered false")
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/positions", auth, nil), &pos)
	qty := map[string]int{}
	for _, p := range pos.Net {
		qty[p.Product] = p.Quantity
	}
	if qty["MIS"] != 0 || qty["CNC"] != 10 {
		t.Fatalf("positions after converting: %+v", pos.Net)
	}
	var m struct {
		Equity struct {
			Utilised struct {
				Delivery float64 `json:"delivery"`
				Exposure float64 `json:"exposure"`
			} `json:"utilised"`
		} `json:"equity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/margins", auth, nil), &m)
	if !near(m.Equity.Utilised.Delivery, value) || m.Equity.Utilised.Exposure != 0 {
		t.Fatalf("margins after converting: %+v, want delivery %v (the buy value) and no exposure", m.Equity.Utilised, value)
	}
	var holdings []holdingJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings", auth, nil), &holdings)
	for i, h := range holdings {
		if h.Tradingsymbol == "INFY" && h.T1Quantity != holdingsBefore[i].T1Quantity+10 {
			t.Fatalf("INFY T1 %d, want %d", h.T1Quantity, holdingsBefore[i].T1Quantity+10)
		}
	}

	// More than the position, an overnight position, a product of the
	// wrong segment: InputException, nothing moves.
	for _, bad := range []url.Values{
		with(convert, "quantity", "11"), with(convert, "position_type", "overnight"), with(convert, "new_product", "NRML"),
		with(convert, "quantity", "ten"), with(convert, "old_product", "CNC"),
	} {
		wantError(t, call(t, http.MethodPut, s.URL()+"/portfolio/positions", auth, bad), http.StatusBadRequest, "InputException")
	}
}

func with(v url.Values, k, val string) url.Values {
	c := url.Values{}
	for kk, vv := range v {
		c[kk] = vv
	}
	c.Set(k, val)
	return c
}

// TestHoldingsSummaryCompactAuthoriseAuctions covers the rest of the
// portfolio API against the account's seeded holdings.
func TestHoldingsSummaryCompactAuthoriseAuctions(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits(), TickInterval: time.Hour})
	auth := tokenAuth(s)
	var hs []holdingJSON
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings", auth, nil), &hs)
	var invested, current, today, yesterday float64
	for _, h := range hs {
		q := float64(h.Quantity + h.T1Quantity)
		invested += h.AveragePrice * q
		current += h.LastPrice * q
		today += (h.LastPrice - h.ClosePrice) * q
		yesterday += h.ClosePrice * q
	}
	var sum struct {
		TotalPnL, TotalPnLPercent, TodayPnL, TodayPnLPercent, InvestedAmount, CurrentValue float64
	}
	var raw map[string]float64
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings/summary", auth, nil), &raw)
	sum.InvestedAmount, sum.CurrentValue, sum.TotalPnL, sum.TodayPnL = raw["invested_amount"], raw["current_value"], raw["total_pnl"], raw["today_pnl"]
	sum.TotalPnLPercent, sum.TodayPnLPercent = raw["total_pnl_percent"], raw["today_pnl_percent"]
	// Seeded: 10 INFY at 1402.35, 100 ITC at 388.1, 16 SBIN at 801.75.
	if !near(invested, 10*1402.35+100*388.1+16*801.75) || !near(sum.InvestedAmount, invested) || !near(sum.CurrentValue, current) ||
		!near(sum.TotalPnL, current-invested) || !near(sum.TotalPnLPercent, (current-invested)/invested*100) ||
		!near(sum.TodayPnL, today) || !near(sum.TodayPnLPercent, today/yesterday*100) {
		t.Fatalf("summary %+v; holdings %+v", raw, hs)
	}

	var compact []struct {
		Tradingsymbol string `json:"tradingsymbol"`
		Quantity      int    `json:"quantity"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings/compact", auth, nil), &compact)
	if len(compact) != len(hs) || compact[0].Tradingsymbol != hs[0].Tradingsymbol || compact[0].Quantity != hs[0].Quantity {
		t.Fatalf("compact %+v", compact)
	}

	// Authorise 5 INFY; opening the page completes it.
	var infy holdingJSON
	for _, h := range hs {
		if h.Tradingsymbol == "INFY" {
			infy = h
		}
	}
	var req struct {
		RequestID string `json:"request_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/portfolio/holdings/authorise", auth,
		url.Values{"type": {"equity"}, "transfer_type": {"pre"}, "isin": {infy.ISIN}, "quantity": {"5"}}), &req)
	if len(req.RequestID) < 16 {
		t.Fatalf("request id %q", req.RequestID)
	}
	page := call(t, http.MethodGet, s.URL()+"/connect/portfolio/authorise/holdings/"+APIKey+"/"+req.RequestID, "", nil)
	if page.Status != http.StatusOK {
		t.Fatalf("authorisation page: %d %s", page.Status, page.Body)
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings", auth, nil), &hs)
	for _, h := range hs {
		if h.Tradingsymbol == "INFY" && h.AuthorisedQuantity != 5 {
			t.Fatalf("INFY authorised %d, want 5", h.AuthorisedQuantity)
		}
	}
	wantError(t, call(t, http.MethodPost, s.URL()+"/portfolio/holdings/authorise", auth, url.Values{"isin": {"INE000000000"}}), http.StatusBadRequest, "InputException")

	// Auctions list the settled holdings; an auction order needs the
	// listed number.
	var auctions []struct {
		Tradingsymbol string `json:"tradingsymbol"`
		Exchange      string `json:"exchange"`
		AuctionNumber string `json:"auction_number"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/portfolio/holdings/auctions", auth, nil), &auctions)
	if len(auctions) != 3 || auctions[0].AuctionNumber == "" {
		t.Fatalf("auctions %+v", auctions)
	}
	a := auctions[0]
	order := url.Values{"exchange": {a.Exchange}, "tradingsymbol": {a.Tradingsymbol}, "transaction_type": {"SELL"}, "quantity": {"1"},
		"product": {"CNC"}, "order_type": {"LIMIT"}, "price": {upperCircuit(t, s, auth, a.Exchange+":"+a.Tradingsymbol)}, "auction_number": {a.AuctionNumber}}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/auction", auth, order), nil)
	wantError(t, call(t, http.MethodPost, s.URL()+"/orders/auction", auth, with(order, "auction_number", "1")), http.StatusBadRequest, "InputException")

	var full map[string]any
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/profile/full", auth, nil), &full)
	if full["user_id"] != UserID || full["twofa_type"] != "totp" {
		t.Fatalf("full profile %v", full)
	}
}

func upperCircuit(t *testing.T, s *Server, auth, key string) string {
	t.Helper()
	var q map[string]struct {
		UpperCircuitLimit float64 `json:"upper_circuit_limit"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, url.Values{"i": {key}}), &q)
	return formatFloat(q[key].UpperCircuitLimit)
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
