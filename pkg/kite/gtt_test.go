package kite

import (
	"encoding/json"
	"strings"
	"testing"
)

func gttLeg(side string, px float64) GTTOrder {
	return GTTOrder{Exchange: "NSE", Tradingsymbol: "INFY", Product: "CNC", OrderType: OrderTypeLimit, TransactionType: side, Quantity: 1, Price: px}
}

// TestGTTValidate: Kite's rules at a last price of ₹1,500, where 0.25% is
// ₹3.75 (by hand), and at ₹40, where it is 9 paise.
func TestGTTValidate(t *testing.T) {
	cond := func(last float64, tv ...float64) GTTCondition {
		return GTTCondition{Exchange: "NSE", Tradingsymbol: "INFY", LastPrice: last, TriggerValues: tv}
	}
	for _, c := range []struct {
		name string
		p    GTTParams
		ltp  float64
		want string // "" = valid
	}{
		{"single 3.75 below", GTTParams{GTTSingle, cond(1500, 1496.25), []GTTOrder{gttLeg(Buy, 1496.25)}}, 1500, ""},
		{"single 3.70 below", GTTParams{GTTSingle, cond(1500, 1496.30), []GTTOrder{gttLeg(Buy, 1496.30)}}, 1500, "too close"},
		{"9 paise at ₹40", GTTParams{GTTSingle, cond(40, 40.09), []GTTOrder{gttLeg(Buy, 40.1)}}, 40, ""},
		{"8 paise at ₹40", GTTParams{GTTSingle, cond(40, 40.08), []GTTOrder{gttLeg(Buy, 40.1)}}, 40, "too close"},
		{"oco", GTTParams{GTTOCO, cond(1500, 1400, 1700), []GTTOrder{gttLeg(Sell, 1395), gttLeg(Sell, 1700)}}, 1500, ""},
		{"oco reversed", GTTParams{GTTOCO, cond(1500, 1700, 1400), []GTTOrder{gttLeg(Sell, 1700), gttLeg(Sell, 1400)}}, 1500, "below and above"},
		{"oco mixed sides", GTTParams{GTTOCO, cond(1500, 1400, 1700), []GTTOrder{gttLeg(Sell, 1395), gttLeg(Buy, 1700)}}, 1500, "both sell"},
		// 10% of 1400 is 140: 1260 is at the bound, 1259.95 past it.
		{"limit at 10%", GTTParams{GTTSingle, cond(1500, 1400), []GTTOrder{gttLeg(Sell, 1260)}}, 1500, ""},
		{"limit past 10%", GTTParams{GTTSingle, cond(1500, 1400), []GTTOrder{gttLeg(Sell, 1259.95)}}, 1500, "more than 10%"},
		{"market leg", GTTParams{GTTSingle, cond(1500, 1400), []GTTOrder{{Exchange: "NSE", Tradingsymbol: "INFY", OrderType: OrderTypeMarket, TransactionType: Buy, Quantity: 1, Price: 1400}}}, 1500, "LIMIT orders only"},
		{"no last price", GTTParams{GTTSingle, cond(0, 1400), []GTTOrder{gttLeg(Buy, 1400)}}, 1500, "last price is missing"},
	} {
		err := c.p.Validate(c.ltp)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestGTTValuesEncodeKiteForm: type, and condition and orders as JSON, as
// Kite's form takes them; a result is never sent back.
func TestGTTValuesEncodeKiteForm(t *testing.T) {
	o := gttLeg(Sell, 1395)
	o.Result = &GTTResult{TriggeredAt: 1}
	v := GTTParams{GTTSingle, GTTCondition{Exchange: "NSE", Tradingsymbol: "INFY", LastPrice: 1500, TriggerValues: []float64{1400}}, []GTTOrder{o}}.Values()
	if v.Get("type") != "single" ||
		v.Get("condition") != `{"exchange":"NSE","tradingsymbol":"INFY","last_price":1500,"trigger_values":[1400]}` ||
		v.Get("orders") != `[{"exchange":"NSE","tradingsymbol":"INFY","product":"CNC","order_type":"LIMIT","transaction_type":"SELL","quantity":1,"price":1395}]` {
		t.Errorf("form %v", v)
	}
}

// FuzzDecodeGTTsAndAlerts: whatever a server answers, decoding GTTs and
// alerts never panics, and what decodes re-encodes stably.
func FuzzDecodeGTTsAndAlerts(f *testing.F) {
	f.Add([]byte(`{"status":"success","data":[{"id":1,"type":"two-leg","created_at":"2019-09-09 15:13:22","status":"triggered","condition":{"exchange":"NSE","tradingsymbol":"RAIN","last_price":102.6,"trigger_values":[102,103.7]},"orders":[{"price":1,"result":null},{"price":1,"result":{"timestamp":"2019-09-09 15:15:08","triggered_at":103.7,"order_result":{"status":"failed","order_id":""}}}],"meta":null}]}`))
	f.Add([]byte(`{"status":"success","data":[{"type":"ato","uuid":"u","operator":">=","rhs_constant":27000,"basket":{"items":[{"id":1,"params":{"tags":[],"quantity":1}}]},"created_at":"2025-05-26 12:09:26"}]}`))
	f.Add([]byte(`{"status":"success","data":[{"uuid":"u","meta":[{"last_price":1}],"order_meta":null,"created_at":"2025-02-17 09:16:46"}]}`))
	f.Add([]byte(`{"status":"error","message":"x","error_type":"InputException"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		stable := func(v any, fresh func() any) {
			if err := decodeEnvelope(b, v); err != nil {
				return
			}
			out, err := json.Marshal(v)
			if err != nil {
				return
			}
			again := fresh()
			if err := json.Unmarshal(out, again); err != nil {
				t.Fatalf("re-decoding %s: %v", out, err)
			}
			if out2, _ := json.Marshal(again); string(out) != string(out2) {
				t.Fatalf("not stable:\n%s\n%s", out, out2)
			}
		}
		stable(&[]GTT{}, func() any { return &[]GTT{} })
		stable(&[]Alert{}, func() any { return &[]Alert{} })
		stable(&[]AlertHistory{}, func() any { return &[]AlertHistory{} })
	})
}
