package market_test

import (
	"math"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

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
			// Put–call parity on the future of the options' expiry:
			// C − P = e^{−rT}(F − K), T in whole days to the expiry
			// (the expiry day counting one) over 365; each premium is
			// rounded to its tick.
			now := friday.Add(time.Duration(i) * time.Second).In(market.IST)
			today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, market.IST)
			T := (ce.Expiry.Sub(today).Hours()/24 + 1) / 365
			want := math.Exp(-market.RiskFreeRate*T) * (float64(s)*factor - float64(ce.Strike))
			if parity := float64(c-p) - want; math.Abs(parity) > float64(ce.TickSize) {
				t.Fatalf("step %d: C−P = %d, e^{−rT}(F−K) = %.1f", i, c-p, want)
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
