package kite

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func limitBuy() OrderParams {
	return OrderParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: Buy, Quantity: 1,
		Product: "CNC", OrderType: OrderTypeLimit, Price: 1500, Validity: ValidityDay}
}

func TestOrderParamsValidate(t *testing.T) {
	tests := []struct {
		name    string
		variety string
		edit    func(*OrderParams)
		want    string // substring of the error; "" means valid
	}{
		{"limit ok", VarietyRegular, func(*OrderParams) {}, ""},
		{"market ok", VarietyRegular, func(p *OrderParams) { p.OrderType, p.Price = OrderTypeMarket, 0 }, ""},
		{"sl ok", VarietyRegular, func(p *OrderParams) { p.OrderType, p.TriggerPrice = OrderTypeSL, 1499 }, ""},
		{"slm ok", VarietyRegular, func(p *OrderParams) { p.OrderType, p.Price, p.TriggerPrice = OrderTypeSLM, 0, 1499 }, ""},
		{"zero qty", VarietyRegular, func(p *OrderParams) { p.Quantity = 0 }, "quantity must be positive, got 0"},
		{"negative qty", VarietyRegular, func(p *OrderParams) { p.Quantity = -5 }, "quantity must be positive, got -5"},
		{"negative price", VarietyRegular, func(p *OrderParams) { p.Price = -5 }, "price must be a positive number, got -5"},
		{"NaN price", VarietyRegular, func(p *OrderParams) { p.Price = math.NaN() }, "price must be a positive number, got NaN"},
		{"infinite trigger", VarietyRegular, func(p *OrderParams) { p.OrderType, p.TriggerPrice = OrderTypeSL, math.Inf(1) }, "trigger price must be a positive number, got +Inf"},
		{"limit no price", VarietyRegular, func(p *OrderParams) { p.Price = 0 }, "a LIMIT order needs a price"},
		{"sl no trigger", VarietyRegular, func(p *OrderParams) { p.OrderType = OrderTypeSL }, "an SL order needs a trigger price"},
		{"slm with price", VarietyRegular, func(p *OrderParams) { p.OrderType, p.TriggerPrice = OrderTypeSLM, 1499 }, "drop the price"},
		{"market with price", VarietyRegular, func(p *OrderParams) { p.OrderType = OrderTypeMarket }, "a MARKET order takes no price"},
		{"bad side", VarietyRegular, func(p *OrderParams) { p.TransactionType = "HOLD" }, `transaction type "HOLD" is not one of BUY, SELL`},
		{"bad type", VarietyRegular, func(p *OrderParams) { p.OrderType = "STOP" }, `order type "STOP"`},
		{"bad product", VarietyRegular, func(p *OrderParams) { p.Product = "XYZ" }, `product "XYZ"`},
		{"bad exchange", VarietyRegular, func(p *OrderParams) { p.Exchange = "NYSE" }, `exchange "NYSE"`},
		{"bad variety", "bo", func(*OrderParams) {}, `variety "bo"`},
		{"bad validity", VarietyRegular, func(p *OrderParams) { p.Validity = "GTC" }, `validity "GTC"`},
		{"ttl without minutes", VarietyRegular, func(p *OrderParams) { p.Validity = ValidityTTL }, "TTL validity needs a validity_ttl"},
		{"ttl minutes without ttl", VarietyRegular, func(p *OrderParams) { p.ValidityTTL = 5 }, "validity_ttl is only for TTL"},
		{"disclosed too big", VarietyRegular, func(p *OrderParams) { p.DisclosedQuantity = 2 }, "disclosed quantity"},
		{"bad tag", VarietyRegular, func(p *OrderParams) { p.Tag = "not ok!" }, "letters and digits"},
		{"long tag", VarietyRegular, func(p *OrderParams) { p.Tag = strings.Repeat("a", 21) }, "1 to 20"},
		{"iceberg ok", VarietyIceberg, func(p *OrderParams) { p.Quantity, p.IcebergLegs, p.IcebergQuantity = 100, 5, 20 }, ""},
		{"iceberg one leg", VarietyIceberg, func(p *OrderParams) { p.IcebergLegs, p.IcebergQuantity = 1, 1 }, "2 to 10 iceberg legs"},
		{"iceberg params on regular", VarietyRegular, func(p *OrderParams) { p.IcebergLegs = 3 }, "only for the iceberg variety"},
		{"auction without number", VarietyAuction, func(*OrderParams) {}, "needs an auction number"},
		{"co without trigger", VarietyCO, func(p *OrderParams) { p.Product = "MIS" }, "cover order"},
		{"no symbol", VarietyRegular, func(p *OrderParams) { p.Tradingsymbol = "" }, "tradingsymbol is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := limitBuy()
			tt.edit(&p)
			err := p.Validate(tt.variety)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("want error containing %q, got none", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("want error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func TestOrderParamsValidateReportsEveryProblem(t *testing.T) {
	p := OrderParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: Buy, Product: "CNC", OrderType: OrderTypeLimit}
	err := p.Validate(VarietyRegular)
	if err == nil || !strings.Contains(err.Error(), "quantity must be positive") || !strings.Contains(err.Error(), "needs a price") {
		t.Fatalf("want both the quantity and the price reported, got %v", err)
	}
}

func TestValidateModify(t *testing.T) {
	if err := (OrderParams{Price: 1490.5}).ValidateModify(); err != nil {
		t.Fatalf("price change: %v", err)
	}
	for _, tt := range []struct {
		p    OrderParams
		want string
	}{
		{OrderParams{}, "nothing to modify"},
		{OrderParams{Quantity: -1}, "quantity must be positive"},
		{OrderParams{OrderType: "STOP"}, `order type "STOP"`},
		{OrderParams{OrderType: OrderTypeSL, Price: 10}, "needs a trigger price"},
		{OrderParams{Tradingsymbol: "SBIN", Price: 10}, "cannot be modified"},
		{OrderParams{Validity: "GTC"}, `validity "GTC"`},
		{OrderParams{Price: math.NaN()}, "prices must be positive numbers, got NaN"},
		{OrderParams{OrderType: OrderTypeLimit, Price: -1}, "price must be a positive number, got -1"},
	} {
		if err := tt.p.ValidateModify(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: want %q, got %v", tt.p, tt.want, err)
		}
	}
}

func TestOrderParamsValues(t *testing.T) {
	p := limitBuy()
	p.Price = 1573.7
	p.Tag = "abc123"
	p.MarketProtection = -1
	got := p.Values().Encode()
	want := "exchange=NSE&market_protection=-1&order_type=LIMIT&price=1573.7&product=CNC&quantity=1&tag=abc123&tradingsymbol=INFY&transaction_type=BUY&validity=DAY"
	if got != want {
		t.Fatalf("Values:\n got %s\nwant %s", got, want)
	}
	if v := (OrderParams{Quantity: 5}).Values().Encode(); v != "quantity=5" {
		t.Fatalf("only set fields are sent, got %s", v)
	}
}

func TestNewTag(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 15, 0, 0, time.UTC)
	seen := map[string]bool{}
	for range 1000 {
		tag := NewTag(now)
		if err := ValidateTag(tag); err != nil {
			t.Fatalf("generated tag %q is invalid: %v", tag, err)
		}
		if !strings.HasPrefix(tag, "k") || len(tag) != 15 {
			t.Fatalf("tag %q: want k + 8 time chars + 6 random", tag)
		}
		if seen[tag] {
			t.Fatalf("tag %q generated twice for the same instant", tag)
		}
		seen[tag] = true
	}
	if a, b := NewTag(now), NewTag(now.Add(time.Hour)); a[:9] >= b[:9] {
		t.Fatalf("tags should sort by time: %s then %s", a, b)
	}
}

func TestOrderHasTag(t *testing.T) {
	o := Order{Tag: "one", Tags: []string{"one", "two"}}
	if !o.HasTag("one") || !o.HasTag("two") || o.HasTag("three") {
		t.Fatalf("HasTag wrong for %+v", o)
	}
}

func TestTimeJSON(t *testing.T) {
	var v struct {
		A Time `json:"a"`
		B Time `json:"b"`
		C Time `json:"c"`
		D Time `json:"d"`
	}
	in := `{"a":"2021-05-31 09:18:57","b":null,"c":"2021-07-05T10:41:27+05:30","d":"2025-01-17"}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":"2021-05-31T09:18:57+05:30","b":null,"c":"2021-07-05T10:41:27+05:30","d":"2025-01-17T00:00:00+05:30"}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	if got := v.A.UTC().Format(time.RFC3339); got != "2021-05-31T03:48:57Z" {
		t.Fatalf("Kite's zoneless times are IST: %s", got)
	}
	if err := json.Unmarshal([]byte(`{"a":"31/05/2021"}`), &v); err == nil {
		t.Fatal("an unknown format must be an error, not a zero time")
	}
}

func TestIsAmbiguous(t *testing.T) {
	// A real refused connection: nothing was sent.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &Client{BaseURL: "http://" + addr, Credentials: Credentials{Kind: Connect, APIKey: "k", AccessToken: "t"}}
	_, err = c.PlaceOrder(context.Background(), VarietyRegular, limitBuy())
	if err == nil || IsAmbiguous(err) {
		t.Fatalf("connection refused is not ambiguous: %v", err)
	}

	// A server that reads the order and then dies before answering: the
	// order may exist.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return
		}
		conn, _, _ := hj.Hijack()
		conn.Close()
	}))
	defer srv.Close()
	c.BaseURL = srv.URL
	_, err = c.PlaceOrder(context.Background(), VarietyRegular, limitBuy())
	if err == nil || !IsAmbiguous(err) {
		t.Fatalf("a connection cut after sending is ambiguous: %v", err)
	}

	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&Error{Status: 503, ErrorType: NetworkException}, true},
		{&Error{Status: 500, ErrorType: GeneralException}, true},
		{&Error{Status: 429, ErrorType: NetworkException}, false},
		{&Error{Status: 400, ErrorType: InputException}, false},
		{&Error{Status: 200, ErrorType: MarginException}, false},
		{&net.DNSError{Err: "no such host", Name: "x"}, false},
		{&url.Error{Op: "Post", URL: "u", Err: errors.New("EOF")}, true},
	} {
		if got := IsAmbiguous(tt.err); got != tt.want {
			t.Errorf("IsAmbiguous(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
