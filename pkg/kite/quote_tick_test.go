package kite

import (
	"encoding/json"
	"testing"

	"github.com/kitecli/kite/pkg/ticks"
)

// A /quote entry in Kite's shape (values made up for the test).
const infyQuote = `{"instrument_token":408065,"timestamp":"2026-11-26 10:00:05","last_trade_time":"2026-11-26 09:59:58",
"last_price":1573.7,"last_quantity":25,"buy_quantity":1200,"sell_quantity":900,"volume":151234,"average_price":1570.15,
"oi":0,"oi_day_high":0,"oi_day_low":0,"net_change":4.349999999999909,
"ohlc":{"open":1565,"high":1580.05,"low":1561.1,"close":1569.35},
"depth":{"buy":[{"price":1573.65,"quantity":10,"orders":2}],"sell":[{"price":1573.75,"quantity":7,"orders":1}]}}`

func TestQuoteTick(t *testing.T) {
	// Token 408065 is 0x63A01: segment 1 (NSE), prices in paise.
	got, err := QuoteTick(json.RawMessage(infyQuote), 408065, ticks.ModeFull)
	if err != nil {
		t.Fatal(err)
	}
	want := ticks.Tick{
		Mode: ticks.ModeFull, InstrumentToken: 408065,
		LastPrice: 157370, LastTradedQuantity: 25, AverageTradedPrice: 157015, VolumeTraded: 151234,
		TotalBuyQuantity: 1200, TotalSellQuantity: 900,
		Open: 156500, High: 158005, Low: 156110, Close: 156935,
		NetChange: 435, // 4.349999999999909 rounds to 4.35
		// 2026-11-26 09:59:58 and 10:00:05 IST (UTC+05:30) as Unix seconds.
		LastTradeTime: 1795667398, ExchangeTimestamp: 1795667405,
	}
	want.Depth.Buy[0] = ticks.DepthItem{Quantity: 10, Price: 157365, Orders: 2}
	want.Depth.Sell[0] = ticks.DepthItem{Quantity: 7, Price: 157375, Orders: 1}
	if got != want {
		t.Fatalf("QuoteTick =\n%+v\nwant\n%+v", got, want)
	}

	// A currency derivative (segment 3, CDS) has 7 decimals.
	got, err = QuoteTick(json.RawMessage(`{"last_price":83.2475,"timestamp":"2026-11-26T10:00:05+05:30"}`), 256003, ticks.ModeLTP)
	if err != nil || got.LastPrice != 832475000 || got.ExchangeTimestamp != 1795667405 {
		t.Fatalf("CDS quote: %+v, %v", got, err)
	}

	for _, bad := range []string{`[]`, `{"last_price":"x"}`, `{"volume":-1}`, `nul`} {
		if _, err := QuoteTick(json.RawMessage(bad), 408065, ticks.ModeFull); err == nil {
			t.Errorf("QuoteTick(%s): no error", bad)
		}
	}
	// Absent or unreadable fields are zero, as the ticker sends them.
	got, err = QuoteTick(json.RawMessage(`{"last_price":1e40,"timestamp":"yesterday"}`), 408065, ticks.ModeLTP)
	if err != nil || got.LastPrice != 0 || got.ExchangeTimestamp != 0 {
		t.Fatalf("out of range: %+v, %v", got, err)
	}
}

func FuzzQuoteTick(f *testing.F) {
	f.Add([]byte(infyQuote), uint32(408065))
	f.Add([]byte(`{"last_price":83.2475}`), uint32(256003))
	f.Add([]byte(`{"last_price":-0.05,"depth":{"buy":[{},{},{},{},{},{},{}]}}`), uint32(9))
	f.Fuzz(func(t *testing.T, raw []byte, token uint32) {
		tick, err := QuoteTick(raw, token, ticks.ModeFull)
		if err == nil && tick.InstrumentToken != token {
			t.Fatalf("token %d became %d", token, tick.InstrumentToken)
		}
	})
}
