package market_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/options"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// Hull (8th ed.), Section 18.8: a put on a future, F0 = K = 20, r = 9%,
// T = 4 months, σ = 25%, is worth 1.12.
func TestBlackPremiumHull(t *testing.T) {
	if p := market.BlackPremium(false, 20, 20, 4.0/12, 0.09, 0.25); math.Abs(p-1.12) > 0.005 {
		t.Errorf("put %v, want 1.12", p)
	}
}

// The surface's shape: a smile (the wings dearer than the money) with a
// skew (below the money dearer than as far above), and near expiries
// dearer than far ones at the money.
func TestSurfaceShape(t *testing.T) {
	const level, f = 0.16, 26000.0
	for _, T := range []float64{7.0 / 365, 30.0 / 365, 1} {
		a := 0.05
		put, atm, call := market.SurfaceVol(level, f, f*math.Exp(-a), T), market.SurfaceVol(level, f, f, T), market.SurfaceVol(level, f, f*math.Exp(a), T)
		if !(put > call && put > atm && call > atm*0.9) {
			t.Errorf("T=%v: σ(24000)=%v σ(ATM)=%v σ(28000)=%v", T, put, atm, call)
		}
	}
	if w, m := market.SurfaceVol(level, f, f, 7.0/365), market.SurfaceVol(level, f, f, 60.0/365); !(w > m) {
		t.Errorf("term structure: a week %v, two months %v", w, m)
	}
}

// kite's solver recovers the sandbox's own volatility to 1e-6 from the
// model's mid price (the premium before its rounding to a tick), for every
// option of the universe at several moments; each option's quoted price is
// that premium rounded to its tick; and puts and calls of a strike keep
// put–call parity on the model's forward within a tick.
func TestRecoverSurfaceVols(t *testing.T) {
	m := market.New(7, market.Universe(friday), friday)
	checked := 0
	for step, at := range []time.Duration{0, 90 * time.Minute, 4 * time.Hour} {
		m.Step(friday.Add(at))
		type pair struct{ c, p int32 }
		byStrike := map[string]*pair{}
		for _, in := range m.Instruments() {
			if in.InstrumentType != "CE" && in.InstrumentType != "PE" {
				continue
			}
			om, ok := m.OptionModel(in.Token)
			if !ok {
				t.Fatalf("%s: no model", in.Key())
			}
			kind := options.Call
			if in.InstrumentType == "PE" {
				kind = options.Put
			}
			oin := options.Inputs{Kind: kind, Model: options.Black76, Underlying: om.Forward, Strike: float64(in.Strike), Time: om.Years, Rate: om.Rate}
			if om.Premium > 1e-9*om.Forward {
				iv, ok := options.ImpliedVol(oin, om.Premium)
				if !ok || math.Abs(iv-om.Vol) > 1e-6 {
					t.Errorf("step %d %s: F=%v T=%v premium %v: iv %v ok %v, the sandbox's σ %v", step, in.Key(), om.Forward, om.Years, om.Premium, iv, ok, om.Vol)
				}
				checked++
			}
			tk, _ := m.Tick(in.Token, ticks.ModeLTP)
			want := math.Max(math.Round(om.Premium/float64(in.TickSize))*float64(in.TickSize), float64(in.TickSize))
			if math.Abs(float64(tk.LastPrice)-want) > float64(in.TickSize) {
				t.Errorf("step %d %s: last %d, the model's premium %v", step, in.Key(), tk.LastPrice, om.Premium)
			}
			key := in.Exchange + in.Expiry.String() + in.Name + strconv.FormatInt(in.Strike, 10)
			pr := byStrike[key]
			if pr == nil {
				pr = &pair{}
				byStrike[key] = pr
			}
			if kind == options.Call {
				pr.c = tk.LastPrice
			} else {
				pr.p = tk.LastPrice
			}
			if pr.c > 0 && pr.p > 0 && pr.c > int32(10*in.TickSize) && pr.p > int32(10*in.TickSize) {
				parity := math.Exp(-om.Rate*om.Years) * (om.Forward - float64(in.Strike))
				if d := float64(pr.c-pr.p) - parity; math.Abs(d) > float64(in.TickSize) {
					t.Errorf("step %d %s: C−P = %d, e^{−rT}(F−K) = %.2f", step, in.Key(), pr.c-pr.p, parity)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d options checked", checked)
	}
}

// Open interest gathers near the money, calls' above it and puts' below:
// the OI-weighted mean strike of the calls of an expiry is above the
// index, the puts' below, and the far wings hold less than the busiest
// strike.
func TestOptionOpenInterestAcrossStrikes(t *testing.T) {
	m := market.New(8, market.Universe(friday), friday)
	index, _ := m.Lookup("NSE", "NIFTY 50")
	spot := float64(index.BasePrice)
	var expiry time.Time
	for _, in := range m.Instruments() {
		if in.Name == "NIFTY" && in.InstrumentType == "CE" && (expiry.IsZero() || in.Expiry.Before(expiry)) {
			expiry = in.Expiry
		}
	}
	var sum, wsum [2]float64
	var peak, wing [2]float64
	for _, in := range m.Instruments() {
		if in.Name != "NIFTY" || !in.Expiry.Equal(expiry) || (in.InstrumentType != "CE" && in.InstrumentType != "PE") {
			continue
		}
		tk, _ := m.Tick(in.Token, ticks.ModeFull)
		side := 0
		if in.InstrumentType == "PE" {
			side = 1
		}
		oi := float64(tk.OI)
		sum[side] += oi
		wsum[side] += oi * float64(in.Strike)
		peak[side] = math.Max(peak[side], oi)
		if d := math.Abs(float64(in.Strike)-spot) / spot; d > 0.018 {
			wing[side] = math.Max(wing[side], oi)
		}
	}
	if sum[0] == 0 || sum[1] == 0 {
		t.Fatal("no open interest")
	}
	callMean, putMean := wsum[0]/sum[0], wsum[1]/sum[1]
	if !(callMean > spot && putMean < spot) {
		t.Errorf("OI-weighted strikes: calls %.0f, puts %.0f, index %.0f", callMean, putMean, spot)
	}
	for side := range 2 {
		if !(wing[side] > 0 && wing[side] < 0.75*peak[side]) {
			t.Errorf("side %d: wing OI %v, busiest strike %v", side, wing[side], peak[side])
		}
	}
}
