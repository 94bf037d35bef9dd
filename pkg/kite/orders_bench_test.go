package kite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// orderBook builds a JSON order book of n orders shaped like Kite's.
func orderBook(n int) []byte {
	type raw struct {
		Order
		OrderTimestamp string  `json:"order_timestamp"`
		ExchangeTS     string  `json:"exchange_timestamp"`
		Tag            *string `json:"tag"`
	}
	list := make([]raw, n)
	for i := range list {
		tag := fmt.Sprintf("k%014d", i)
		list[i] = raw{
			Order: Order{
				PlacedBy: "SB0001", OrderID: fmt.Sprintf("2611210%08d", i), ExchangeOrderID: fmt.Sprintf("1%015d", i),
				Status: StatusComplete, Variety: VarietyRegular, Exchange: "NSE", Tradingsymbol: "INFY",
				InstrumentToken: 408065, OrderType: OrderTypeLimit, TransactionType: Buy, Validity: ValidityDay,
				Product: "CNC", Quantity: 10, Price: 1573.7, AveragePrice: 1573.65, FilledQuantity: 10,
				Meta: json.RawMessage(`{}`), Tags: []string{tag}, GUID: "x",
			},
			OrderTimestamp: "2026-11-21 09:15:02", ExchangeTS: "2026-11-21 09:15:03", Tag: &tag,
		}
	}
	b, err := json.Marshal(map[string]any{"status": "success", "data": list})
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkDecodeOrderBook measures decoding a 500-order book, the largest
// payload the order commands handle (timestamps parsed, nulls tolerated).
func BenchmarkDecodeOrderBook(b *testing.B) {
	doc := orderBook(500)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		var orders []Order
		if err := decodeEnvelope(doc, &orders); err != nil || len(orders) != 500 {
			b.Fatal(err, len(orders))
		}
	}
}

// BenchmarkEncodeOrderBook measures re-encoding it for output (RFC 3339
// timestamps in IST).
func BenchmarkEncodeOrderBook(b *testing.B) {
	var orders []Order
	if err := decodeEnvelope(orderBook(500), &orders); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(orders); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOrderParams measures the client-side work of a placement:
// validation and form encoding.
func BenchmarkOrderParams(b *testing.B) {
	p := limitBuy()
	p.Tag = NewTag(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Validate(VarietyRegular); err != nil {
			b.Fatal(err)
		}
		_ = p.Values().Encode()
	}
}

// FuzzTimeJSON: any bytes either fail to decode or round-trip through
// RFC 3339 to the same instant.
func FuzzTimeJSON(f *testing.F) {
	for _, s := range []string{`"2021-05-31 09:18:57"`, `null`, `"2021-07-05T10:41:27+05:30"`, `"2025-01-17"`,
		`""`, `"2021-02-30 25:00:00"`, `"2021-07-05T10:41:27.123456789Z"`, `17`, `"\u0000"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v Time
		if err := json.Unmarshal(b, &v); err != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			// Years outside 0-9999 have no RFC 3339 form.
			return
		}
		var back Time
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s → %s does not decode: %v", b, out, err)
		}
		if !back.Equal(v.Truncate(time.Second)) && !back.Equal(v.Time) {
			t.Fatalf("%s → %s → %v, want %v", b, out, back, v)
		}
	})
}

// FuzzDecodeOrders: an order book from the network never panics the
// decoder, and what decodes re-encodes to something that decodes the same.
func FuzzDecodeOrders(f *testing.F) {
	f.Add(orderBook(2))
	f.Add([]byte(`{"status":"success","data":[{"order_id":"1","tag":null,"meta":{"iceberg":{"legs":2}},"order_timestamp":"2021-05-31 09:18:57"}]}`))
	f.Add([]byte(`{"status":"error","message":"x","error_type":"OrderException"}`))
	f.Add([]byte(`{"status":"success","data":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var orders []Order
		if err := decodeEnvelope(b, &orders); err != nil {
			return
		}
		out, err := json.Marshal(orders)
		if err != nil {
			return
		}
		var again []Order
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		out2, _ := json.Marshal(again)
		if !reflect.DeepEqual(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
