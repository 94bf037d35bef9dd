package complete

import (
	"slices"
	"strings"
	"testing"
)

// A few rows in the shape of Kite's dump (columns as Kite documents them:
// https://kite.trade/docs/connect/v3/market-quotes/#instruments).
const dump = "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\r\n" +
	"408065,1594,INFY,\"INFOSYS, LTD\",0,,0,0.05,1,EQ,NSE,NSE\r\n" +
	"128053508,500209,INFY,INFOSYS,0,,0,0.05,1,EQ,BSE,BSE\r\n" +
	"256265,1001,NIFTY 50,NIFTY 50,0,,0,0,0,EQ,INDICES,NSE\r\n" +
	"12335618,48186,NIFTY26DECFUT,NIFTY,0,2026-12-29,0,0.1,75,FUT,NFO-FUT,NFO\r\n" +
	"9426690,36823,INFY26DEC1500CE,INFY,0,2026-12-29,1500,0.05,400,CE,NFO-OPT,NFO\r\n" +
	"738561,2885,RELIANCE,RELIANCE INDUSTRIES,0,,0,0.1,1,EQ,NSE,NSE\r\n"

func TestSymbols(t *testing.T) {
	cases := []struct {
		prefix string
		want   []string
	}{
		{"NSE:INF", []string{"NSE:INFY"}},
		{"nse:inf", []string{"NSE:INFY"}},
		{"NSE:", []string{"NSE:INFY", "NSE:NIFTY 50", "NSE:RELIANCE"}},
		{"NFO:INFY", []string{"NFO:INFY26DEC1500CE"}},
		{"BS", []string{"BSE:INFY"}},
		{"MCX:", nil},
		{"NSE:NIFTY ", []string{"NSE:NIFTY 50"}},
	}
	for _, c := range cases {
		if got := Symbols([]byte(dump), c.prefix, 0); !slices.Equal(got, c.want) {
			t.Errorf("Symbols(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
	if got := Symbols([]byte(dump), "NSE:", 2); !slices.Equal(got, []string{"NSE:INFY", "NSE:NIFTY 50"}) {
		t.Errorf("limit 2: %q", got)
	}
}

func TestSymbolsReorderedColumns(t *testing.T) {
	d := "exchange,tradingsymbol\nNSE,TCS\nNSE,TATASTEEL\n"
	if got := Symbols([]byte(d), "NSE:TA", 0); !slices.Equal(got, []string{"NSE:TATASTEEL"}) {
		t.Errorf("got %q", got)
	}
}

func TestSymbolsNotADump(t *testing.T) {
	for _, d := range []string{"", "garbage", "a,b\n1,2\n", "<html>\n"} {
		if got := Symbols([]byte(d), "NSE:", 0); got != nil {
			t.Errorf("Symbols(%q) = %q, want none", d, got)
		}
	}
}

func FuzzSymbols(f *testing.F) {
	f.Add([]byte(dump), "NSE:IN")
	f.Add([]byte("exchange,tradingsymbol\n\"NSE,\"\"x\",A\n"), "N")
	f.Add([]byte("tradingsymbol,exchange\n\"unterminated\n"), "")
	f.Fuzz(func(t *testing.T, d []byte, prefix string) {
		for _, s := range Symbols(d, prefix, 0) {
			if !strings.HasPrefix(strings.ToUpper(s), strings.ToUpper(prefix)) && strings.Contains(prefix, ":") {
				t.Fatalf("%q does not start with %q", s, prefix)
			}
			if !strings.Contains(s, ":") {
				t.Fatalf("%q is not EXCHANGE:SYMBOL", s)
			}
		}
	})
}

func TestFullDumpSize(t *testing.T) {
	d := SyntheticDump()
	if n := strings.Count(string(d), "\n") - 1; n < 95_000 {
		t.Fatalf("the benchmark's dump has %d rows, want a full NSE+NFO dump (~100k)", n)
	}
	// UND007 has 3 expiries × (1 future + 83 strikes × 2 sides).
	if got := len(Symbols(d, "NFO:UND007", 0)); got != 3*(1+83*2) {
		t.Fatalf("NFO:UND007 matched %d, want %d", got, 3*(1+83*2))
	}
}

func BenchmarkSymbolsFullDump(b *testing.B) {
	d := SyntheticDump()
	b.SetBytes(int64(len(d)))
	for b.Loop() {
		Symbols(d, "NFO:UND12", 1000)
	}
}
