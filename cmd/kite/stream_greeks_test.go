package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/options"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/ticks"
)

// kite stream OPTION STOCK --greeks: the option's ticks gain iv and greeks
// computed on its future, which is subscribed but not printed; the stock's
// ticks are unchanged.
func TestE2EStreamGreeks(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 19, TickInterval: 20 * time.Millisecond})
	env["KITE_RISK_FREE_RATE"] = "0.07"
	insts := sandboxInstruments(t, srv)
	// The latest-expiring NIFTY call: a monthly, with a future of its expiry.
	var ce, fut string
	var strike float64
	var expiry string
	for _, in := range insts {
		if in.Name == "NIFTY" && in.InstrumentType == "CE" && in.Expiry >= expiry {
			if in.Expiry > expiry || ce == "" {
				ce, strike, expiry = in.Symbol(), in.Strike, in.Expiry
			}
		}
	}
	for _, in := range insts {
		if in.Name == "NIFTY" && in.InstrumentType == "FUT" && in.Expiry == expiry {
			fut = in.Symbol()
		}
	}
	if ce == "" || fut == "" {
		t.Fatalf("no monthly NIFTY call with a future: %q %q", ce, fut)
	}
	r := runKite(t, kiteRun{Env: env}, "stream", ce, symINFY, "--greeks", "--count", "40")
	if r.Code != 0 {
		t.Fatalf("stream --greeks: exit %d\n%s", r.Code, r.Stderr)
	}
	exp, _ := time.Parse(time.DateOnly, expiry)
	expiresAt := time.Date(exp.Year(), exp.Month(), exp.Day(), 15, 30, 0, 0, time.FixedZone("IST", 19800))
	priced := 0
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		switch rec["symbol"] {
		case symINFY:
			for _, k := range []string{"iv", "delta", "underlying_price", "time_to_expiry"} {
				if _, ok := rec[k]; ok {
					t.Fatalf("a stock tick gained %q: %s", k, line)
				}
			}
		case ce:
			for _, k := range []string{"iv", "delta", "gamma", "theta", "vega", "underlying_price", "time_to_expiry"} {
				if _, ok := rec[k]; !ok {
					t.Fatalf("option tick lacks %q: %s", k, line)
				}
			}
			if rec["iv"] == nil {
				continue // the future had not ticked yet
			}
			priced++
			f, tte, iv, last := rec["underlying_price"].(float64), rec["time_to_expiry"].(float64), rec["iv"].(float64), rec["last_price"].(float64)
			if want := time.Until(expiresAt).Seconds() / (365 * 86400); math.Abs(tte-want) > 60.0/(365*86400) {
				t.Errorf("time_to_expiry %v, want about %v", tte, want)
			}
			lo, hi := black76(true, f, strike, tte, 0.07, iv-1.5e-6), black76(true, f, strike, tte, 0.07, iv+1.5e-6)
			if last < lo || last > hi {
				t.Errorf("last %v outside the Black-76 premiums %v..%v at iv %v on F=%v", last, lo, hi, iv, f)
			}
			if d := rec["delta"].(float64); d <= 0 || d >= 1 {
				t.Errorf("call delta %v", d)
			}
		default:
			t.Fatalf("a tick of %v, which was not asked for (the future %s is subscribed only for the greeks): %s", rec["symbol"], fut, line)
		}
	}
	if priced == 0 {
		t.Fatalf("no option tick was priced:\n%s", r.Stdout)
	}

	r = runKite(t, kiteRun{Env: env}, "stream", ce, "--greeks", "--raw")
	if r.Code != 2 || !strings.Contains(r.Stderr, "--greeks add JSON records and cannot be combined with --raw") {
		t.Errorf("--greeks --raw: exit %d %q", r.Code, r.Stderr)
	}
	env["KITE_RISK_FREE_RATE"] = "seven"
	r = runKite(t, kiteRun{Env: env}, "stream", ce, "--greeks", "--count", "1")
	if r.Code != 2 || !strings.Contains(r.Stderr, `KITE_RISK_FREE_RATE="seven" is not a rate`) {
		t.Errorf("bad KITE_RISK_FREE_RATE: exit %d %q", r.Code, r.Stderr)
	}
}

// Before the underlying has ticked every computed field is null, and a
// non-option record is left as it is.
func TestAppendGreeksNulls(t *testing.T) {
	g := &greeksTracker{
		opts:  map[uint32]greekOption{7<<8 | ticks.SegmentNFO: {kind: options.Call, model: options.Black76, strike: 100, expires: time.Now().Add(24 * time.Hour), underTok: 9}},
		under: map[uint32]float64{9: 0}, now: time.Now,
	}
	tk := ticks.Tick{InstrumentToken: 7<<8 | ticks.SegmentNFO, LastPrice: 500}
	got := string(g.appendGreeks([]byte(`{"last_price":5}`+"\n"), &tk))
	if !strings.HasPrefix(got, `{"last_price":5,"iv":null,"delta":null,"gamma":null,"theta":null,"vega":null,"underlying_price":null,"time_to_expiry":0.00`) || !strings.HasSuffix(got, "}\n") {
		t.Errorf("got %q", got)
	}
	other := ticks.Tick{InstrumentToken: 408065, LastPrice: 500}
	if got := string(g.appendGreeks([]byte(`{"x":1}`+"\n"), &other)); got != `{"x":1}`+"\n" {
		t.Errorf("non-option changed: %q", got)
	}
}
