package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/options"
)

// Max pain by hand: strikes 100, 110, 120 with call OI 10, 20, 5 and put
// OI 5, 15, 30. Writers pay, at a settlement of
//
//	100: calls 0;                 puts 15·10 + 30·20 = 750 → 750
//	110: calls 10·10 = 100;       puts 30·10 = 300         → 400
//	120: calls 10·20 + 20·10 = 400; puts 0                 → 400
//
// so max pain is 110 (the lower of the tied 110 and 120). PCR by OI is
// (5+15+30)/(10+20+5) = 50/35.
func TestMaxPainAndPCRByHand(t *testing.T) {
	strikes := []float64{100, 110, 120}
	calls, puts := []int64{10, 20, 5}, []int64{5, 15, 30}
	if mp, ok := maxPain(strikes, calls, puts); !ok || mp != 110 {
		t.Errorf("max pain %v %v, want 110", mp, ok)
	}
	if pcr, ok := putCallRatio(calls, puts); !ok || pcr != 50.0/35 {
		t.Errorf("PCR %v %v, want 50/35", pcr, ok)
	}
	// Call OI 1 at 100 and put OI 3 at 120: 100 → 3·20 = 60,
	// 110 → 1·10 + 3·10 = 40, 120 → 1·20 = 20: max pain 120.
	if mp, _ := maxPain(strikes, []int64{1, 0, 0}, []int64{0, 0, 3}); mp != 120 {
		t.Errorf("max pain %v, want 120", mp)
	}
	if _, ok := maxPain(strikes, []int64{0, 0, 0}, []int64{0, 0, 0}); ok {
		t.Error("max pain without OI")
	}
	if _, ok := putCallRatio([]int64{0}, []int64{7}); ok {
		t.Error("PCR without call OI")
	}
}

func TestPickExpiry(t *testing.T) {
	exps := []string{"2026-12-01", "2026-12-08", "2026-12-29", "2027-01-05", "2027-01-26"}
	for want, in := range map[string]string{"2026-12-01": "next", "2026-12-29": "monthly", "2027-01-05": "2027-01-05"} {
		if got, err := pickExpiry(exps, in); err != nil || got != want {
			t.Errorf("pickExpiry(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := pickExpiry(exps, "2026-12-02"); err == nil || !strings.Contains(err.Error(), "expiries: 2026-12-01, 2026-12-08") {
		t.Errorf("unlisted date: %v", err)
	}
	if got, _ := pickExpiry([]string{"2027-01-05"}, "monthly"); got != "2027-01-05" {
		t.Errorf("a lone expiry is its month's last: %q", got)
	}
}

func TestExpiryTimeAndYears(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	for exch, want := range map[string]time.Time{
		"NFO": time.Date(2026, 12, 29, 15, 30, 0, 0, ist),
		"CDS": time.Date(2026, 12, 29, 12, 30, 0, 0, ist),
		"MCX": time.Date(2026, 12, 29, 23, 30, 0, 0, ist),
	} {
		if got, err := expiryTime(exch, "2026-12-29"); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", exch, got, err, want)
		}
	}
	// 36.5 days is a tenth of a year.
	start := time.Date(2026, 12, 1, 3, 30, 0, 0, ist)
	if y := yearsTo(start, start.Add(36*24*time.Hour+12*time.Hour)); y != 0.1 {
		t.Errorf("36.5 days = %v years, want 0.1", y)
	}
}

func TestParseChainUnderlying(t *testing.T) {
	for in, want := range map[string]string{
		"nifty": "NIFTY NFO,BFO,MCX,CDS", "NSE:NIFTY 50": "NIFTY NFO", "NSE:RELIANCE": "RELIANCE NFO",
		"mcx:crudeoil": "CRUDEOIL MCX", "BSE:SENSEX": "SENSEX BFO", "NSE:NIFTY BANK": "BANKNIFTY NFO",
	} {
		u, err := parseChainUnderlying(in)
		if got := u.Name + " " + strings.Join(u.Exchanges, ","); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
}

func chainFixture() []kite.Instrument {
	opt := func(name, sym, typ, exp string, k float64, tok uint32) kite.Instrument {
		return kite.Instrument{InstrumentToken: tok, Tradingsymbol: sym, Name: name, Expiry: exp, Strike: k, InstrumentType: typ, Exchange: "NFO"}
	}
	return []kite.Instrument{
		{InstrumentToken: 1, Tradingsymbol: "NIFTY26DECFUT", Name: "NIFTY", Expiry: "2026-12-29", InstrumentType: "FUT", Exchange: "NFO"},
		opt("NIFTY", "NIFTY26DEC26000CE", "CE", "2026-12-29", 26000, 10),
		opt("NIFTY", "NIFTY26DEC26000PE", "PE", "2026-12-29", 26000, 11),
		opt("NIFTY", "NIFTY26D0826000CE", "CE", "2026-12-08", 26000, 12),
		{InstrumentToken: 2, Tradingsymbol: "RELIANCE26DECFUT", Name: "RELIANCE", Expiry: "2026-12-29", InstrumentType: "FUT", Exchange: "NFO"},
		opt("RELIANCE", "RELIANCE26DEC1500CE", "CE", "2026-12-29", 1500, 20),
	}
}

// The model follows the issue: Black-76 on the future of the same expiry
// for index options, Black-Scholes on the index for weeklies without one,
// and on the share for stock options even when a future exists.
func TestSelectChainModel(t *testing.T) {
	insts := chainFixture()
	for _, c := range []struct{ name, expiry, model, under string }{
		{"NIFTY", "2026-12-29", "black76", "NFO:NIFTY26DECFUT"},
		{"NIFTY", "2026-12-08", "black-scholes", "NSE:NIFTY 50"},
		{"RELIANCE", "2026-12-29", "black-scholes", "NSE:RELIANCE"},
	} {
		cc, err := selectChain(insts, c.name, "NFO", c.expiry)
		if err != nil || cc.Model.String() != c.model || cc.Underlying != c.under {
			t.Errorf("%s %s: %v %s %v; want %s on %s", c.name, c.expiry, cc.Model, cc.Underlying, err, c.model, c.under)
		}
	}
}

// A record whose option has no price, or a price below intrinsic value,
// has null iv and greeks, and an expired chain has null everywhere.
func TestChainRecordsNull(t *testing.T) {
	cc, err := selectChain(chainFixture(), "NIFTY", "NFO", "2026-12-29")
	if err != nil {
		t.Fatal(err)
	}
	ist := time.FixedZone("IST", 19800)
	p := &chainPricing{Contracts: cc, UnderPrice: 26500, Now: time.Date(2026, 12, 1, 10, 0, 0, 0, ist), Rate: 0.05, PriceMode: "last"}
	// The call is 500 in the money: 400 is below intrinsic. The put has
	// no trade.
	recs := p.records(cc.Strikes, map[uint32]marketQuote{10: {LastPrice: 400}, 11: {Bid: 100, Ask: 110}})
	b, _ := json.Marshal(recs)
	if !strings.Contains(string(b), `"last_price":400,"bid":null,"ask":null,"volume":0,"oi":0,"oi_change":null,"iv":null,"delta":null,"gamma":null,"theta":null,"vega":null`) ||
		!strings.Contains(string(b), `"last_price":0,"bid":100,"ask":110,"volume":0,"oi":0,"oi_change":null,"iv":null`) {
		t.Errorf("records: %s", b)
	}
	// With --price mid the put's 105 fits.
	p.PriceMode = "mid"
	if r := p.records(cc.Strikes, map[uint32]marketQuote{11: {Bid: 100, Ask: 110}}); r[0].Put.IV == nil {
		t.Error("mid price 105 gave no iv")
	}
	// After 15:30 IST on the expiry day nothing fits.
	p.Now = time.Date(2026, 12, 29, 15, 31, 0, 0, ist)
	if r := p.records(cc.Strikes, map[uint32]marketQuote{11: {Bid: 100, Ask: 110}}); r[0].Put.IV != nil || r[0].TimeToExpiry != 0 {
		t.Errorf("expired: %+v", r[0].Put)
	}
	if cc.Model != options.Black76 {
		t.Errorf("model %v", cc.Model)
	}
}

// FuzzParseMarketQuote: Kite's quote bytes are untrusted; no input panics,
// and an unreadable one is an error without Go's internals in it.
func FuzzParseMarketQuote(f *testing.F) {
	f.Add([]byte(`{"instrument_token":408065,"last_price":1412.95,"volume":7360198,"oi":0,"depth":{"buy":[{"price":1412.9,"quantity":5,"orders":1}],"sell":[{"price":1413,"quantity":1,"orders":1}]}}`))
	f.Add([]byte(`{"instrument_token":1,"last_price":"x"}`))
	f.Add([]byte(`{"depth":{"buy":[],"sell":null}}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"volume":1e400}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		q, _, err := parseMarketQuote(raw)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "json:") || strings.Contains(msg, "unmarshal") {
				t.Fatalf("Go internals in %q", msg)
			}
			return
		}
		_ = optionPrice(q, "mid") + optionPrice(q, "last")
	})
}

// The summary wraps between its " · " parts on a narrow terminal; the
// lines below are written out by hand from the parts.
func TestChainSummaryLines(t *testing.T) {
	iv, pcr, mp := 0.1115, 1.02, 26050.0
	s := chainSummary{Underlying: "NSE:NIFTY 50", Price: 25901.25, Model: "black-scholes",
		ATMStrike: 25900, ATMIV: &iv, Days: 5.33, PCR: &pcr, MaxPain: &mp}
	whole := "NSE:NIFTY 50 25901.25 (black-scholes) · ATM 25900 IV 11.15% · 5.33 days to expiry · PCR 1.02 (OI) · max pain 26050"
	for _, c := range []struct {
		width int
		want  []string
	}{
		{0, []string{whole}},
		{200, []string{whole}},
		// 37 + 3 + 19 + 3 + 19 + 3 + 13 = 97 columns, then max pain.
		{100, []string{
			"NSE:NIFTY 50 25901.25 (black-scholes) · ATM 25900 IV 11.15% · 5.33 days to expiry · PCR 1.02 (OI)",
			"max pain 26050",
		}},
		// 19 + 3 + 19 = 41 > 40; 19 + 3 + 13 = 35 fits.
		{40, []string{
			"NSE:NIFTY 50 25901.25 (black-scholes)",
			"ATM 25900 IV 11.15%",
			"5.33 days to expiry · PCR 1.02 (OI)",
			"max pain 26050",
		}},
		{10, []string{
			"NSE:NIFTY 50 25901.25 (black-scholes)",
			"ATM 25900 IV 11.15%",
			"5.33 days to expiry",
			"PCR 1.02 (OI)",
			"max pain 26050",
		}},
	} {
		got := s.Lines(c.width)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("Lines(%d):\n%s\nwant:\n%s", c.width, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}
