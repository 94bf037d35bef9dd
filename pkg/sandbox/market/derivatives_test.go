package market_test

import (
	"math"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

func TestOptionPremium(t *testing.T) {
	// At the money the Bachelier price is v/√(2π), v = vol·S·√(T/365):
	// 0.16 × 10000 × √(73/365) = 715.54, so 285.46.
	if got := market.OptionPremium(true, 10000, 10000, 0.16, 73); math.Abs(got-285.46) > 0.01 {
		t.Errorf("ATM call = %v, want 285.46", got)
	}
	prevC, prevP := 0.0, math.Inf(1)
	for s := 9000.0; s <= 11000; s += 50 {
		c := market.OptionPremium(true, s, 10000, 0.16, 10)
		p := market.OptionPremium(false, s, 10000, 0.16, 10)
		if c < math.Max(s-10000, 0) || p < math.Max(10000-s, 0) {
			t.Errorf("S=%v: call %v or put %v below intrinsic", s, c, p)
		}
		if c < prevC || p > prevP {
			t.Errorf("S=%v: call %v (was %v) must rise and put %v (was %v) fall with S", s, c, prevC, p, prevP)
		}
		if math.Abs(c-p-(s-10000)) > 1e-6 {
			t.Errorf("S=%v: put-call parity off: C−P = %v", s, c-p)
		}
		prevC, prevP = c, p
	}
}

// At New the previous close is each instrument's base price: the dump's
// last_price is the close the day is measured from.
func TestPreviousCloseIsTheBasePrice(t *testing.T) {
	for _, now := range []time.Time{
		friday,
		time.Date(2026, 11, 23, 8, 0, 0, 0, market.IST),  // Monday before the open
		time.Date(2026, 11, 23, 9, 5, 0, 0, market.IST),  // currency and MCX open, equities not
		time.Date(2026, 11, 22, 12, 0, 0, 0, market.IST), // Sunday
	} {
		m := market.New(5, market.Universe(now), now)
		for _, in := range m.Instruments() {
			tk, _ := m.Tick(in.Token, ticks.ModeQuote)
			if int64(tk.Close) != in.BasePrice {
				t.Errorf("%v %s: close %d, base price %d", now, in.Key(), tk.Close, in.BasePrice)
			}
		}
	}
}

func TestDerivativesFollowTheirUnderlying(t *testing.T) {
	m := market.New(6, market.Universe(friday), friday)
	index, _ := m.Lookup("NSE", "NIFTY 50")
	fut, _ := m.Lookup("NFO", "NIFTY26NOVFUT")
	if fut.Underlying != index.Token {
		t.Fatalf("NIFTY future's underlying %d, want %d", fut.Underlying, index.Token)
	}
	factor := float64(fut.BasePrice) / float64(index.BasePrice)
	var ce, pe market.Instrument
	for _, in := range m.Instruments() {
		if in.Name == "NIFTY" && in.Expiry.Day() == 24 && in.Strike == index.BasePrice/5000*5000 {
			if in.InstrumentType == "CE" {
				ce = in
			} else if in.InstrumentType == "PE" {
				pe = in
			}
		}
	}
	if ce.Token == 0 || pe.Token == 0 || ce.Underlying != index.Token {
		t.Fatalf("no ATM NIFTY options: %+v %+v", ce, pe)
	}
	tick := func(tok uint32) ticks.Tick { tk, _ := m.Tick(tok, ticks.ModeLTP); return tk }
	prevS, prevC, prevP := tick(index.Token).LastPrice, tick(ce.Token).LastPrice, tick(pe.Token).LastPrice
	for i := 1; i <= 2000; i++ {
		m.Step(friday.Add(time.Duration(i) * time.Second))
		s, f, c, p := tick(index.Token).LastPrice, tick(fut.Token).LastPrice, tick(ce.Token).LastPrice, tick(pe.Token).LastPrice
		if want := float64(s) * factor; math.Abs(float64(f)-want) > float64(fut.TickSize) {
			t.Fatalf("step %d: future %d, index %d × %.6f = %.0f", i, f, s, factor, want)
		}
		if (s > prevS && (c < prevC || p > prevP)) || (s < prevS && (c > prevC || p < prevP)) {
			t.Fatalf("step %d: index %d→%d but call %d→%d, put %d→%d", i, prevS, s, prevC, c, prevP, p)
		}
		if c > 10*int32(ce.TickSize) && p > 10*int32(pe.TickSize) {
			if parity := int64(c-p) - (int64(s) - ce.Strike); parity > ce.TickSize || parity < -ce.TickSize {
				t.Fatalf("step %d: C−P = %d, S−K = %d", i, c-p, int64(s)-ce.Strike)
			}
		}
		prevS, prevC, prevP = s, c, p
	}
	// History agrees too: the future's minute closes are the index's scaled.
	from := friday.AddDate(0, 0, -7)
	ic, _ := m.Candles(index.Token, "minute", from, friday, false)
	fc, _ := m.Candles(fut.Token, "minute", from, friday, false)
	if len(ic) != len(fc) || len(ic) == 0 {
		t.Fatalf("%d index candles, %d future candles", len(ic), len(fc))
	}
	for i := range ic {
		if !ic[i].Time.Equal(fc[i].Time) || math.Abs(float64(fc[i].Close)-float64(ic[i].Close)*factor) > float64(fut.TickSize) {
			t.Fatalf("candle %v: future %d, index %d", ic[i].Time, fc[i].Close, ic[i].Close)
		}
	}
}
