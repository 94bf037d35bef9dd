package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// chainE2ERecord is a record as the test reads it, independently of the
// command's own types.
type chainE2ERecord struct {
	Underlying      string  `json:"underlying"`
	UnderlyingPrice float64 `json:"underlying_price"`
	Expiry          string  `json:"expiry"`
	TimeToExpiry    float64 `json:"time_to_expiry"`
	Rate            float64 `json:"rate"`
	Model           string  `json:"model"`
	Price           string  `json:"price"`
	Strike          float64 `json:"strike"`
	Call, Put       *chainE2ESide
}

type chainE2ESide struct {
	Symbol    string   `json:"symbol"`
	Token     uint32   `json:"instrument_token"`
	LastPrice float64  `json:"last_price"`
	Bid       *float64 `json:"bid"`
	Ask       *float64 `json:"ask"`
	OI        int64    `json:"oi"`
	IV        *float64 `json:"iv"`
	Delta     *float64 `json:"delta"`
}

// black76 is the test's own Black-76 premium (Hull, 8th ed., eq. 18.9).
func black76(call bool, f, k, t, r, vol float64) float64 {
	n := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	sd := vol * math.Sqrt(t)
	d1 := (math.Log(f/k) + sd*sd/2) / sd
	d2 := d1 - sd
	if call {
		return math.Exp(-r*t) * (f*n(d1) - k*n(d2))
	}
	return math.Exp(-r*t) * (k*n(-d2) - f*n(-d1))
}

func jsonKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestE2EChain(t *testing.T) {
	// A stopped market clock: the test's own quotes and kite's see the
	// same prices.
	stopped := time.Now()
	_, env := startTestSandbox(t, sandbox.Options{Seed: 14, TickInterval: time.Hour, MarketClock: func() time.Time { return stopped }, RateLimits: sandbox.NoRateLimits()})

	before := time.Now()
	r := runKite(t, kiteRun{Env: env}, "chain", "NIFTY", "--expiry", "monthly", "--rate", "0.065", "-o", "json")
	after := time.Now()
	if r.Code != 0 {
		t.Fatalf("chain NIFTY: exit %d\n%s", r.Code, r.Stderr)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(r.Stdout), &raws); err != nil || len(raws) == 0 {
		t.Fatalf("chain -o json: %v\n%s", err, r.Stdout)
	}
	if got, want := strings.Join(jsonKeys(t, raws[0]), ","), "underlying,underlying_price,expiry,time_to_expiry,rate,model,price,strike,call,put"; got != want {
		t.Errorf("record keys %s, want %s", got, want)
	}
	var first struct{ Call json.RawMessage }
	_ = json.Unmarshal(raws[0], &first)
	if got, want := strings.Join(jsonKeys(t, first.Call), ","), "symbol,instrument_token,last_price,bid,ask,volume,oi,oi_change,iv,delta,gamma,theta,vega"; got != want {
		t.Errorf("call keys %s, want %s", got, want)
	}
	var recs []chainE2ERecord
	if err := json.Unmarshal([]byte(r.Stdout), &recs); err != nil {
		t.Fatal(err)
	}

	// The sandbox lists NIFTY futures for the two monthly expiries; the
	// monthly options are priced on the future of their own expiry.
	rec := recs[0]
	if rec.Model != "black76" || rec.Price != "last" || rec.Rate != 0.065 || !strings.HasPrefix(rec.Underlying, "NFO:NIFTY") || !strings.HasSuffix(rec.Underlying, "FUT") {
		t.Fatalf("record header: %+v", rec)
	}
	// The future's symbol is NIFTY + YY + MON of the expiry.
	exp, err := time.Parse(time.DateOnly, rec.Expiry)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("NFO:NIFTY%02d%sFUT", exp.Year()%100, strings.ToUpper(exp.Format("Jan"))); rec.Underlying != want {
		t.Errorf("underlying %s, want %s", rec.Underlying, want)
	}
	// time_to_expiry: ACT/365 seconds to 15:30 IST on the expiry day.
	ist := time.FixedZone("IST", 19800)
	expiresAt := time.Date(exp.Year(), exp.Month(), exp.Day(), 15, 30, 0, 0, ist)
	hi, lo := expiresAt.Sub(before).Seconds()/(365*86400), expiresAt.Sub(after).Seconds()/(365*86400)
	if rec.TimeToExpiry > hi+1e-6 || rec.TimeToExpiry < lo-1e-6 {
		t.Errorf("time_to_expiry %v, want between %v and %v", rec.TimeToExpiry, lo, hi)
	}

	// Prices and OI are the sandbox's quotes.
	q := url.Values{"i": {rec.Underlying}}
	for _, rc := range recs {
		q.Add("i", rc.Call.Symbol)
		q.Add("i", rc.Put.Symbol)
	}
	direct := acctDirectRaw(t, env, "GET", "/quote", q)
	var quotes struct {
		Data map[string]struct {
			LastPrice float64 `json:"last_price"`
			OI        float64 `json:"oi"`
		} `json:"data"`
	}
	if err := json.Unmarshal(direct, &quotes); err != nil {
		t.Fatal(err)
	}
	if got := quotes.Data[rec.Underlying].LastPrice; got != rec.UnderlyingPrice {
		t.Errorf("underlying_price %v, sandbox quotes %v", rec.UnderlyingPrice, got)
	}
	var strikes []float64
	var callOI, putOI []int64
	for _, rc := range recs {
		strikes = append(strikes, rc.Strike)
		for _, side := range []struct {
			call bool
			s    *chainE2ESide
		}{{true, rc.Call}, {false, rc.Put}} {
			dq := quotes.Data[side.s.Symbol]
			if side.s.LastPrice != dq.LastPrice || side.s.OI != int64(dq.OI) {
				t.Errorf("%s: last %v oi %v, sandbox %v %v", side.s.Symbol, side.s.LastPrice, side.s.OI, dq.LastPrice, dq.OI)
			}
			if side.call {
				callOI = append(callOI, side.s.OI)
			} else {
				putOI = append(putOI, side.s.OI)
			}
			// The IV reprices the last price under the test's own
			// Black-76: the price lies between the premiums at iv ∓ 1e-6
			// (iv is printed to 6 decimals).
			if side.s.IV == nil {
				t.Errorf("%s: iv null for a last price of %v", side.s.Symbol, side.s.LastPrice)
				continue
			}
			iv := *side.s.IV
			a := black76(side.call, rec.UnderlyingPrice, rc.Strike, rec.TimeToExpiry, rec.Rate, iv-1.5e-6)
			b := black76(side.call, rec.UnderlyingPrice, rc.Strike, rec.TimeToExpiry, rec.Rate, iv+1.5e-6)
			if !(a <= side.s.LastPrice && side.s.LastPrice <= b) {
				t.Errorf("%s: last %v is not between the Black-76 premiums %v and %v at iv %v", side.s.Symbol, side.s.LastPrice, a, b, iv)
			}
		}
	}

	// The sandbox prices a strike's call and put at one volatility of its
	// surface, on this future: their IVs agree but for each premium's
	// rounding to a tick.
	for _, rc := range recs {
		if rc.Call.IV != nil && rc.Put.IV != nil && math.Abs(*rc.Call.IV-*rc.Put.IV) > 0.003 {
			t.Errorf("strike %v: call iv %v, put iv %v", rc.Strike, *rc.Call.IV, *rc.Put.IV)
		}
	}

	// The summary on stderr: PCR and max pain over the expiry's strikes,
	// worked out here by their definitions.
	var c, p int64
	for i := range strikes {
		c += callOI[i]
		p += putOI[i]
	}
	best, bestPay := 0.0, math.Inf(1)
	for _, s := range strikes {
		pay := 0.0
		for i, k := range strikes {
			pay += float64(callOI[i])*math.Max(s-k, 0) + float64(putOI[i])*math.Max(k-s, 0)
		}
		if pay < bestPay {
			best, bestPay = s, pay
		}
	}
	wantSummary := fmt.Sprintf("PCR %.2f (OI) · max pain %s", float64(p)/float64(c), strconv.FormatFloat(best, 'f', -1, 64))
	if !strings.Contains(r.Stderr, wantSummary) || !strings.Contains(r.Stderr, rec.Underlying) || !strings.Contains(r.Stderr, "days to expiry") {
		t.Errorf("summary %q lacks %q", r.Stderr, wantSummary)
	}

	// --strikes 1: the ATM strike (nearest the future) and one either side
	// (the sandbox lists few strikes, so the ATM one may be at an end).
	atm := 0
	for i, k := range strikes {
		if math.Abs(k-rec.UnderlyingPrice) < math.Abs(strikes[atm]-rec.UnderlyingPrice) {
			atm = i
		}
	}
	want := strikes[max(atm-1, 0):min(atm+2, len(strikes))]
	r = runKite(t, kiteRun{Env: env}, "chain", "NFO:NIFTY", "--expiry", rec.Expiry, "--strikes", "1", "-o", "ndjson", "--price", "mid")
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if r.Code != 0 || len(lines) != len(want) {
		t.Fatalf("--strikes 1: exit %d, %d lines, want strikes %v\n%s%s", r.Code, len(lines), want, r.Stdout, r.Stderr)
	}
	for i, line := range lines {
		var got chainE2ERecord
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		if got.Strike != want[i] || got.Price != "mid" || got.Call.Bid == nil || got.Call.Ask == nil {
			t.Errorf("--strikes 1 --price mid, line %d: %s; want strike %v", i, line, want[i])
		}
	}

	// Stock options: Black-Scholes on the share.
	r = runKite(t, kiteRun{Env: env}, "chain", "NSE:RELIANCE", "-o", "csv")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "underlying,underlying_price,expiry,time_to_expiry,rate,model,price,strike,call_symbol,") ||
		!strings.Contains(r.Stdout, "\nNSE:RELIANCE,") || !strings.Contains(r.Stdout, ",black-scholes,last,") {
		t.Errorf("chain NSE:RELIANCE -o csv: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	// A table has calls left, strike in the middle, puts right, the ATM
	// strike marked (no colour off a terminal), the summary above.
	r = runKite(t, kiteRun{Env: env}, "chain", "NIFTY", "--expiry", rec.Expiry, "-o", "table")
	tbl := strings.Split(r.Stdout, "\n")
	if r.Code != 0 || len(tbl) < 3 || !strings.Contains(tbl[0], "max pain") ||
		!regexp.MustCompile(`^\s*OI\s+VOLUME\s+IV%\s+DELTA\s+LTP\s+STRIKE\s+LTP\s+DELTA\s+IV%\s+VOLUME\s+OI$`).MatchString(tbl[1]) ||
		!strings.Contains(r.Stdout, "*"+strconv.FormatFloat(strikes[atm], 'f', -1, 64)+"*") || strings.Contains(r.Stdout, "\x1b[") {
		t.Errorf("chain -o table: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	// --color always: the ATM strike reversed instead of starred.
	r = runKite(t, kiteRun{Env: env}, "chain", "NIFTY", "--expiry", rec.Expiry, "-o", "table", "--color", "always")
	if atmCell := "\x1b[1;7m" + strconv.FormatFloat(strikes[atm], 'f', -1, 64); r.Code != 0 || !strings.Contains(r.Stdout, atmCell) ||
		strings.Contains(r.Stdout, "*") {
		t.Errorf("chain -o table --color always: exit %d\n%q%s", r.Code, r.Stdout, r.Stderr)
	}
}

func TestE2EChainUsageErrors(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 15, TickInterval: time.Hour, RateLimits: sandbox.NoRateLimits()})
	withEnv := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for a, b := range env {
			m[a] = b
		}
		return m
	}
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"chain"}, "accepts 1 arg"},
		{env, []string{"chain", "NIFTY", "--price", "close"}, `invalid --price "close": use last or mid`},
		{env, []string{"chain", "NIFTY", "--strikes", "-2"}, "invalid --strikes -2"},
		{env, []string{"chain", "NIFTY", "--rate", "6.5"}, "invalid rate 6.5: use a continuously compounded fraction"},
		{withEnv("KITE_RISK_FREE_RATE", "6.5%"), []string{"chain", "NIFTY"}, `KITE_RISK_FREE_RATE="6.5%" is not a rate`},
		{env, []string{"chain", "NIFTY", "--expiry", "2020-01-07"}, "no options expire on 2020-01-07; expiries: 20"},
		{env, []string{"chain", "NIFTY", "--expiry", "soon"}, `invalid --expiry "soon": use a date (YYYY-MM-DD), next or monthly`},
		{env, []string{"chain", "NOSUCH"}, "no unexpired NOSUCH options on NFO, BFO, MCX, CDS; find the name with: kite instruments search nosuch --type CE"},
		{env, []string{"chain", "LSE:VOD"}, `unknown exchange "LSE"`},
	} {
		r := runKite(t, kiteRun{Env: c.env}, c.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) || r.Stdout != "" {
			t.Errorf("kite %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(c.args, " "), r.Code, r.Stderr, c.want)
		}
	}
}
