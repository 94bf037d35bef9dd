package market_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// A Friday in November 2026; the month's last Tuesday is the 24th.
var friday = time.Date(2026, 11, 20, 11, 0, 0, 0, market.IST)

func TestUniverseCoversEverySegment(t *testing.T) {
	u := market.Universe(friday)
	if len(u) < 50 {
		t.Fatalf("universe has %d instruments, want at least 50", len(u))
	}
	segByte := map[string]uint8{
		"NSE": 1, "NFO-FUT": 2, "NFO-OPT": 2, "CDS-FUT": 3, "CDS-OPT": 3, "BSE": 4, "BFO-FUT": 5, "BFO-OPT": 5,
		"BCD-FUT": 6, "BCD-OPT": 6, "MCX-FUT": 7, "MCX-OPT": 7, "INDICES": 9,
	}
	seen := map[string]int{}
	tokens := map[uint32]string{}
	keys := map[string]bool{}
	for _, in := range u {
		seen[in.Segment]++
		want, ok := segByte[in.Segment]
		if !ok {
			t.Errorf("%s: unknown segment %q", in.Key(), in.Segment)
		}
		if uint8(in.Token) != want {
			t.Errorf("%s: token %d has segment byte %d, want %d", in.Key(), in.Token, uint8(in.Token), want)
		}
		if in.Token>>8 != in.ExchangeToken {
			t.Errorf("%s: token %d is not exchange token %d << 8 | segment", in.Key(), in.Token, in.ExchangeToken)
		}
		if prev, dup := tokens[in.Token]; dup {
			t.Errorf("token %d used by %s and %s", in.Token, prev, in.Key())
		}
		tokens[in.Token] = in.Key()
		if keys[in.Key()] {
			t.Errorf("duplicate %s", in.Key())
		}
		keys[in.Key()] = true
		if !in.IsIndex() {
			if in.TickSize <= 0 || in.BasePrice%in.TickSize != 0 || in.Strike%in.TickSize != 0 {
				t.Errorf("%s: base %d / strike %d not on tick %d", in.Key(), in.BasePrice, in.Strike, in.TickSize)
			}
			if in.LotSize <= 0 || in.Multiplier <= 0 {
				t.Errorf("%s: lot %d multiplier %d", in.Key(), in.LotSize, in.Multiplier)
			}
		}
		if in.IsDerivative() != !in.Expiry.IsZero() {
			t.Errorf("%s: derivative %v but expiry %v", in.Key(), in.IsDerivative(), in.Expiry)
		}
		if !in.Expiry.IsZero() && in.Expiry.Before(time.Date(2026, 11, 20, 0, 0, 0, 0, market.IST)) {
			t.Errorf("%s: expired on %v", in.Key(), in.Expiry)
		}
	}
	for seg := range segByte {
		if seen[seg] == 0 {
			t.Errorf("no instrument in segment %s", seg)
		}
	}
}

func TestUniverseRealTokens(t *testing.T) {
	m := market.New(1, market.Universe(friday), friday)
	for _, c := range []struct {
		exchange, symbol string
		token            uint32
	}{
		{"NSE", "INFY", 408065}, {"NSE", "RELIANCE", 738561}, {"NSE", "TCS", 2953217},
		{"NSE", "HDFCBANK", 341249}, {"NSE", "SBIN", 779521}, {"NSE", "NIFTY 50", 256265},
		{"NSE", "NIFTY BANK", 260105}, {"BSE", "SENSEX", 265}, {"BSE", "SBIN", 128028676},
	} {
		in, ok := m.Lookup(c.exchange, c.symbol)
		if !ok || in.Token != c.token {
			t.Errorf("%s:%s = %d (found %v), want %d", c.exchange, c.symbol, in.Token, ok, c.token)
			continue
		}
		if by, ok := m.ByToken(c.token); !ok || by.Tradingsymbol != c.symbol {
			t.Errorf("ByToken(%d) = %q, %v", c.token, by.Tradingsymbol, ok)
		}
	}
	nifty, _ := m.Lookup("NSE", "NIFTY 50")
	if nifty.Segment != "INDICES" || nifty.InstrumentType != "EQ" {
		t.Errorf("NIFTY 50 = %+v, want segment INDICES, type EQ", nifty)
	}
	if _, ok := m.Lookup("NSE", "NOSUCH"); ok {
		t.Error("Lookup found NSE:NOSUCH")
	}
	if _, ok := m.ByToken(12345); ok {
		t.Error("ByToken found 12345")
	}
}

func TestUniverseExpiries(t *testing.T) {
	u := market.Universe(friday)
	find := func(ex, sym string) market.Instrument {
		t.Helper()
		for _, in := range u {
			if in.Exchange == ex && in.Tradingsymbol == sym {
				return in
			}
		}
		t.Fatalf("%s:%s not in the universe", ex, sym)
		return market.Instrument{}
	}
	day := func(y int, m time.Month, d int) string {
		return time.Date(y, m, d, 0, 0, 0, 0, market.IST).Format("2006-01-02")
	}
	for _, c := range []struct{ ex, sym, expiry string }{
		{"NFO", "NIFTY26NOVFUT", day(2026, 11, 24)},     // last Tuesday of November
		{"NFO", "NIFTY26DECFUT", day(2026, 12, 29)},     // last Tuesday of December
		{"NFO", "NIFTY26NOV26050CE", day(2026, 11, 24)}, // the weekly is the monthly this week
		{"BFO", "SENSEX26NOVFUT", day(2026, 11, 26)},    // last Thursday
		{"CDS", "USDINR26NOVFUT", day(2026, 11, 26)},    // two business days before Mon 30th
		{"MCX", "CRUDEOIL26DECFUT", day(2026, 12, 18)},  // 19 Dec 2026 is a Saturday
		{"BCD", "USDINR26NOVFUT", day(2026, 11, 26)},
	} {
		in := find(c.ex, c.sym)
		if got := in.Expiry.Format("2006-01-02"); got != c.expiry {
			t.Errorf("%s:%s expires %s, want %s", c.ex, c.sym, got, c.expiry)
		}
	}
	// A week earlier the weekly expiry (17 Nov) is not the monthly one, so
	// weekly symbols (YY, month letter, DD) appear alongside the monthly.
	early := market.Universe(time.Date(2026, 11, 13, 10, 0, 0, 0, market.IST))
	var weekly int
	for _, in := range early {
		if strings.HasPrefix(in.Tradingsymbol, "NIFTY26N17") {
			weekly++
			if in.Expiry.Weekday() != time.Tuesday || in.Expiry.Day() != 17 {
				t.Errorf("%s expires %v", in.Tradingsymbol, in.Expiry)
			}
		}
	}
	if weekly == 0 {
		t.Error("no NIFTY weekly options (NIFTY26N17…) in the universe of 13 Nov 2026")
	}
	// Deterministic for a date, whatever the time of day.
	if !reflect.DeepEqual(u, market.Universe(friday.Add(3*time.Hour))) {
		t.Error("Universe differs within one day")
	}
}

func TestWriteCSV(t *testing.T) {
	u := market.Universe(friday)
	var buf bytes.Buffer
	if err := market.WriteCSV(&buf, u); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if lines[0] != "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange" {
		t.Errorf("header = %q", lines[0])
	}
	tokenOf := func(ex, sym string) uint32 {
		for _, in := range u {
			if in.Exchange == ex && in.Tradingsymbol == sym {
				return in.Token
			}
		}
		t.Fatalf("%s:%s missing", ex, sym)
		return 0
	}
	fut, usd := tokenOf("NFO", "NIFTY26NOVFUT"), tokenOf("CDS", "USDINR26NOVFUT")
	want := map[string]bool{
		"408065,1594,INFY,INFOSYS,1540.0,,0.0,0.05,1,EQ,NSE,NSE":                                               true,
		"256265,1001,NIFTY 50,NIFTY 50,26050.0,,0.0,0.0,0,EQ,INDICES,NSE":                                      true,
		fmt.Sprintf("%d,%d,NIFTY26NOVFUT,NIFTY,26154.2,2026-11-24,0.0,0.05,75,FUT,NFO-FUT,NFO", fut, fut>>8):   true,
		fmt.Sprintf("%d,%d,USDINR26NOVFUT,USDINR,88.955,2026-11-26,0.0,0.0025,1,FUT,CDS-FUT,CDS", usd, usd>>8): true,
	}
	for _, l := range lines {
		delete(want, l)
	}
	for l := range want {
		t.Errorf("dump lacks the line %q", l)
	}

	// Read back as any CSV reader reads it (the client's parser is not
	// used here: the sandbox stands apart from the client it tests, and
	// the client's reading of this dump is tested in pkg/kite), every row
	// is its instrument.
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil || len(rows) != len(u)+1 {
		t.Fatalf("csv: %d rows for %d instruments, %v", len(rows), len(u), err)
	}
	for i, r := range rows[1:] {
		in := u[i]
		div := float64(in.Divisor())
		tick, errTick := strconv.ParseFloat(r[7], 64)
		strike, errStrike := strconv.ParseFloat(r[6], 64)
		if r[0] != strconv.FormatUint(uint64(in.Token), 10) || r[2] != in.Tradingsymbol || r[10] != in.Segment || r[11] != in.Exchange ||
			errTick != nil || tick != float64(in.TickSize)/div || errStrike != nil || strike != float64(in.Strike)/div ||
			r[8] != strconv.FormatInt(in.LotSize, 10) {
			t.Errorf("row %d: %q from %+v", i+1, r, in)
		}
	}
}

func TestFormatPrice(t *testing.T) {
	for _, c := range []struct {
		v, div int64
		want   string
	}{
		{157370, 100, "1573.7"}, {157375, 100, "1573.75"}, {2350000, 100, "23500.0"}, {5, 100, "0.05"},
		{0, 100, "0.0"}, {25000, 10_000_000, "0.0025"}, {889550000, 10_000_000, "88.955"},
		{885025, 10_000, "88.5025"}, {-150, 100, "-1.5"},
	} {
		if got := market.FormatPrice(c.v, c.div); got != c.want {
			t.Errorf("FormatPrice(%d, %d) = %q, want %q", c.v, c.div, got, c.want)
		}
	}
	if ticks.Divisor(3) != 10_000_000 {
		t.Fatal("CDS divisor changed under the market's feet")
	}
}

func TestEquityISINs(t *testing.T) {
	m := market.New(1, market.Universe(friday), friday)
	for _, key := range [][2]string{{"NSE", "INFY"}, {"BSE", "INFY"}, {"NSE", "SBIN"}, {"BSE", "SBIN"}} {
		in, _ := m.Lookup(key[0], key[1])
		want := map[string]string{"INFY": "INE009A01021", "SBIN": "INE062A01020"}[key[1]]
		if in.ISIN != want {
			t.Errorf("%s:%s ISIN %q, want %q", key[0], key[1], in.ISIN, want)
		}
	}
}

// A contract keeps its token from one day's universe to the next.
func TestContractTokensAreStable(t *testing.T) {
	a := market.Universe(friday)
	b := market.Universe(friday.AddDate(0, 0, 7)) // after November's expiry
	byKey := map[string]uint32{}
	for _, in := range a {
		byKey[in.Key()] = in.Token
	}
	shared := 0
	for _, in := range b {
		if tok, ok := byKey[in.Key()]; ok {
			shared++
			if tok != in.Token {
				t.Errorf("%s: token %d on the 20th, %d on the 27th", in.Key(), tok, in.Token)
			}
		}
	}
	if shared < 50 {
		t.Errorf("only %d instruments in both universes", shared)
	}
}
