package mcpserver

import (
	"encoding/json"
	"testing"

	"github.com/kitecli/kite/pkg/kite"
)

// The summary's figures are decimals: 0.1 + 0.2 is 0.3, which float64
// addition does not give (0.30000000000000004).
func TestHistorySummaryIsExactDecimal(t *testing.T) {
	cs := []kite.Candle{
		{Date: "2026-11-02T09:15:00+05:30", Open: "100.05", High: "100.1", Low: "99.95", Close: "100", Volume: "0.1"},
		{Date: "2026-11-02T09:16:00+05:30", Open: "100", High: "100.35", Low: "99.9", Close: "100.3", Volume: "0.2"},
		{Date: "2026-11-02T09:17:00+05:30", Open: "100.3", High: "100.2", Low: "100.05", Close: "100.15", Volume: "0"},
	}
	out := historyOutput("NSE:X", "minute", cs, 2)
	want := HistorySummary{First: "2026-11-02T09:15:00+05:30", Last: "2026-11-02T09:17:00+05:30",
		Open: "100.05", High: "100.35", Low: "99.9", Close: "100.15", Volume: "0.3"}
	if *out.Summary != want {
		t.Errorf("summary = %+v, want %+v", *out.Summary, want)
	}
	if out.Rows != 3 || out.Returned != 2 || !out.Truncated || out.Candles[0].Date != cs[1].Date {
		t.Errorf("rows %d returned %d truncated %v first %s; want 3, 2, true, the last two", out.Rows, out.Returned, out.Truncated, out.Candles[0].Date)
	}
	if empty := historyOutput("NSE:X", "day", nil, 5); empty.Summary != nil || empty.Candles == nil || empty.Rows != 0 {
		t.Errorf("no candles = %+v, want no summary and an empty list", empty)
	}
}

// FuzzDecimalSum: Kite's numbers are untrusted bytes; whatever they are,
// summing and comparing them never panics, and whole numbers sum exactly.
func FuzzDecimalSum(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-2.25", "1e3", "1e999999999", "3/4", "abc", "", "99999999999999999999.99", "0.000001"} {
		f.Add(s, "7")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		d := newDecimalSum()
		d.add(json.Number(a))
		d.add(json.Number(b))
		_ = d.number()
		_ = decLess(json.Number(a), json.Number(b))
	})
}
