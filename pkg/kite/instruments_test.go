package kite

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func loadFixture(t testing.TB) []Instrument {
	t.Helper()
	f, err := os.Open("testdata/instruments.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	insts, err := ParseInstrumentsCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return insts
}

func TestParseInstrumentsCSV(t *testing.T) {
	insts := loadFixture(t)
	if len(insts) != 9 {
		t.Fatalf("%d instruments, want 9", len(insts))
	}
	want := Instrument{InstrumentToken: 13240578, ExchangeToken: 51721, Tradingsymbol: "NIFTY26NOV26000CE", Name: "NIFTY",
		LastPrice: 210.35, Expiry: "2026-11-26", Strike: 26000, TickSize: 0.05, LotSize: 75, InstrumentType: "CE",
		Segment: "NFO-OPT", Exchange: "NFO"}
	if insts[6] != want {
		t.Fatalf("row 7 = %+v\nwant    %+v", insts[6], want)
	}
	if insts[8].Tradingsymbol != "M&M" || insts[8].Symbol() != "NSE:M&M" {
		t.Fatalf("quoted symbol: %+v", insts[8])
	}
}

func TestParseInstrumentsCSVReorderedColumns(t *testing.T) {
	in := "exchange,tradingsymbol,instrument_token,extra\nNSE,INFY,408065,x\n"
	insts, err := ParseInstrumentsCSV(strings.NewReader(in))
	if err != nil || len(insts) != 1 || insts[0].InstrumentToken != 408065 || insts[0].Symbol() != "NSE:INFY" {
		t.Fatalf("insts=%+v err=%v", insts, err)
	}
}

func TestParseInstrumentsCSVErrors(t *testing.T) {
	header := "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n"
	for name, in := range map[string]string{
		"empty":          "",
		"no token col":   "tradingsymbol,exchange\nINFY,NSE\n",
		"token overflow": header + "4294967296,1,X,,0,,0,0.05,1,EQ,NSE,NSE\n",
		"negative token": header + "-1,1,X,,0,,0,0.05,1,EQ,NSE,NSE\n",
		"bad price":      header + "1,1,X,,abc,,0,0.05,1,EQ,NSE,NSE\n",
		"fractional lot": header + "1,1,X,,0,,0,0.05,1.5,EQ,NSE,NSE\n",
		"no symbol":      header + "1,1,,,0,,0,0.05,1,EQ,NSE,NSE\n",
		"bad quoting":    header + "1,1,\"X,,0,,0,0.05,1,EQ,NSE,NSE\n",
		"html":           "<html><body>502 Bad Gateway</body></html>\n",
	} {
		if _, err := ParseInstrumentsCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	_, err := ParseInstrumentsCSV(strings.NewReader(header + "1,1,A,,0,,0,0.05,1,EQ,NSE,NSE\n2,1,B,,zz,,0,0.05,1,EQ,NSE,NSE\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %v should name line 3", err)
	}
}

func TestResolver(t *testing.T) {
	r := NewResolver(loadFixture(t))
	for in, want := range map[string]string{
		"NSE:INFY": "NSE:INFY", "nse:infy": "NSE:INFY", " BSE:INFY ": "BSE:INFY", "408065": "NSE:INFY",
		"128053508": "BSE:INFY", "nfo:nifty26novfut": "NFO:NIFTY26NOVFUT", "NSE:NIFTY 50": "NSE:NIFTY 50", "nse:m&m": "NSE:M&M",
	} {
		got, err := r.Resolve(in)
		if err != nil || got.Symbol() != want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", in, got.Symbol(), err, want)
		}
	}
	for _, in := range []string{"NSE:INFI", "INFY", "999", "", "NSE:", "99999999999"} {
		_, err := r.Resolve(in)
		var ue *UnknownSymbolError
		if !errors.As(err, &ue) || ue.Symbol != strings.TrimSpace(in) {
			t.Errorf("Resolve(%q): err = %v, want UnknownSymbolError naming it", in, err)
		}
	}
	_, err := r.Resolve("NSE:INFI")
	if err.Error() != `unknown instrument "NSE:INFI"` {
		t.Errorf("message %q should say what is unknown, and no more: the next command is the CLI's to tell", err)
	}
	// Half a symbol gets the form, not a search for nothing.
	for _, in := range []string{"INFY", "NSE:", ":INFY", "NSE: "} {
		_, err = r.Resolve(in)
		if !strings.Contains(err.Error(), "EXCHANGE:TRADINGSYMBOL") {
			t.Errorf("message %q should show the form", err)
		}
	}
	if in, ok := r.ByToken(256265); !ok || in.Tradingsymbol != "NIFTY 50" {
		t.Errorf("ByToken(256265) = %+v, %v", in, ok)
	}
	if _, ok := r.ByToken(1); ok {
		t.Error("ByToken(1) found something")
	}
}

func TestSearch(t *testing.T) {
	r := NewResolver(loadFixture(t))
	symbols := func(insts []Instrument) string {
		var s []string
		for _, in := range insts {
			s = append(s, in.Symbol())
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		q    string
		o    SearchOptions
		want string
	}{
		{"infy", SearchOptions{}, "NSE:INFY BSE:INFY"}, // ties keep dump order
		{"infy", SearchOptions{Exchange: "nse"}, "NSE:INFY"},
		{"nifty", SearchOptions{}, "NSE:NIFTY 50 NFO:NIFTY26NOV26000CE NFO:NIFTY26NOV26000PE NFO:NIFTY26NOVFUT NFO:NIFTY26DECFUT"},
		{"nifty", SearchOptions{Type: "fut"}, "NFO:NIFTY26NOVFUT NFO:NIFTY26DECFUT"},
		{"nifty", SearchOptions{Type: "CE", Expiry: "2026-11"}, "NFO:NIFTY26NOV26000CE"},
		{"nifty", SearchOptions{Expiry: "2026-12-31"}, "NFO:NIFTY26DECFUT"},
		{"nifty", SearchOptions{Limit: 2}, "NSE:NIFTY 50 NFO:NIFTY26NOV26000CE"},
		{"industries", SearchOptions{}, "NSE:RELIANCE"},
		{"zzz", SearchOptions{}, ""},
	} {
		if got := symbols(r.Search(c.q, c.o)); got != c.want {
			t.Errorf("Search(%q, %+v) = %q, want %q", c.q, c.o, got, c.want)
		}
	}
}

func FuzzParseInstrumentsCSV(f *testing.F) {
	seed, err := os.ReadFile("testdata/instruments.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(""))
	f.Add([]byte("instrument_token,tradingsymbol,exchange\n1,A,NSE\n"))
	f.Add([]byte("\ufeffinstrument_token,tradingsymbol,exchange\n1,\"A\"\"B\",NSE\n"))
	f.Add([]byte("instrument_token,tradingsymbol,exchange,lot_size\n1,A,NSE,1e3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		insts, err := ParseInstrumentsCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		r := NewResolver(insts)
		for _, in := range insts {
			if in.Tradingsymbol == "" || in.Exchange == "" {
				t.Fatalf("accepted a row without symbol or exchange: %+v", in)
			}
			// Every parsed row must resolve, to itself or to an earlier row
			// with the same key.
			// Resolve trims what the user typed, so a symbol with spaces in
			// it may resolve to another row or to none; and EXCHANGE:SYMBOL
			// is ambiguous when either part holds a colon (Kite's never do).
			if strings.ContainsAny(in.Symbol(), " \t\r\n\v\f") || strings.Count(in.Symbol(), ":") != 1 {
				continue
			}
			got, err := r.Resolve(in.Symbol())
			if err != nil {
				t.Fatalf("Resolve(%q): %v", in.Symbol(), err)
			}
			if !strings.EqualFold(got.Symbol(), in.Symbol()) {
				t.Fatalf("Resolve(%q) = %q", in.Symbol(), got.Symbol())
			}
		}
	})
}
