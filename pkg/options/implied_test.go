package options

import (
	"math"
	"testing"
)

// Price → IV → price over strikes from deep in to deep out of the money,
// expiries from an hour to five years and volatilities from 1% to 400%.
// Where the price carries the volatility to 1e-8 (its rounding error,
// ε·price/vega, is below 1e-10) the solver must recover it to 1e-8;
// elsewhere (a deep in-the-money option whose time value is lost in the
// last bits of its price) it must still not fail silently: any answer it
// gives must reprice to the same price.
func TestImpliedVolRoundTrip(t *testing.T) {
	strikes := []float64{20, 50, 70, 85, 95, 99, 100, 101, 105, 115, 140, 200, 500}
	expiries := []float64{1.0 / (365 * 24), 1.0 / 365, 7.0 / 365, 30.0 / 365, 0.25, 1, 5}
	vols := []float64{0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 4}
	checked := 0
	for _, m := range []Model{Black76, BlackScholes} {
		for _, kind := range []Kind{Call, Put} {
			for _, k := range strikes {
				for _, T := range expiries {
					for _, vol := range vols {
						in := Inputs{Kind: kind, Model: m, Underlying: 100, Strike: k, Time: T, Rate: 0.065}
						g, _ := Compute(in, vol)
						if g.Price <= Intrinsic(in) || g.Price >= UpperBound(in) {
							continue // no time value left in float64: nothing to solve
						}
						iv, ok := ImpliedVol(in, g.Price)
						informative := g.Price > 1e-290 && 2.3e-16*g.Price/(g.Vega*100) < 1e-10
						if informative {
							checked++
							if !ok || math.Abs(iv-vol) > 1e-8 {
								t.Errorf("%v %v K=%v T=%.5f σ=%v price=%g: iv=%v ok=%v", m, kind, k, T, vol, g.Price, iv, ok)
							}
							continue
						}
						if ok {
							p, _ := Price(in, iv)
							if math.Abs(p-g.Price) > 1e-12*g.Price {
								t.Errorf("%v %v K=%v T=%v σ=%v: iv %v reprices to %v, not %v", m, kind, k, T, vol, iv, p, g.Price)
							}
						}
					}
				}
			}
		}
	}
	if checked < 1500 {
		t.Fatalf("only %d informative cases", checked)
	}
}

// A deep out-of-the-money option with a tiny price, the case where Newton on
// the price itself crawls: K = 2F, one day, σ = 30% is worth ~1e-300.
func TestImpliedVolDeepOutOfTheMoney(t *testing.T) {
	for _, c := range []struct{ k, T, vol float64 }{
		{200, 30.0 / 365, 0.3},
		{130, 1.0 / 365, 0.5},
		{101, 1.0 / (365 * 24 * 60), 0.3}, // a minute to expiry
		{60, 1.0 / 365, 0.9},
	} {
		kind := Call
		if c.k < 100 {
			kind = Put
		}
		in := Inputs{Kind: kind, Model: Black76, Underlying: 100, Strike: c.k, Time: c.T, Rate: 0.065}
		p, _ := Price(in, c.vol)
		if p <= 0 {
			t.Fatalf("K=%v: price underflowed; pick another case", c.k)
		}
		iv, ok := ImpliedVol(in, p)
		if !ok || math.Abs(iv-c.vol) > 1e-8 {
			t.Errorf("K=%v T=%v σ=%v price %g: iv %v ok %v", c.k, c.T, c.vol, p, iv, ok)
		}
	}
}

// The cases where no volatility fits give ok=false.
func TestImpliedVolNoFit(t *testing.T) {
	call := Inputs{Kind: Call, Model: Black76, Underlying: 100, Strike: 90, Time: 0.1, Rate: 0.065}
	put := call
	put.Kind, put.Strike = Put, 110
	df := math.Exp(-0.065 * 0.1)
	spot := call
	spot.Model = BlackScholes
	cases := []struct {
		name  string
		in    Inputs
		price float64
	}{
		{"below discounted intrinsic", call, 9.9 * df},
		{"at discounted intrinsic", call, 10 * df},
		{"put below intrinsic", put, 9.99 * df},
		{"spot call below S − K·e^{-rT}", spot, 100 - 90*df - 0.01},
		{"call at the discounted forward", call, 100 * df},
		{"call above the forward", call, 150},
		{"put above the discounted strike", put, 111},
		{"no price", call, 0},
		{"negative price", call, -1},
		{"NaN price", call, math.NaN()},
		{"infinite price", call, math.Inf(1)},
		{"expired", Inputs{Kind: Call, Underlying: 100, Strike: 90, Time: 0, Rate: 0.065}, 11},
		{"past expiry", Inputs{Kind: Call, Underlying: 100, Strike: 90, Time: -0.01, Rate: 0.065}, 11},
		{"zero underlying", Inputs{Kind: Call, Underlying: 0, Strike: 90, Time: 0.1}, 1},
		{"zero strike", Inputs{Kind: Call, Underlying: 100, Strike: 0, Time: 0.1}, 1},
		{"NaN rate", Inputs{Kind: Call, Underlying: 100, Strike: 90, Time: 0.1, Rate: math.NaN()}, 11},
		{"no kind", Inputs{Underlying: 100, Strike: 90, Time: 0.1}, 11},
	}
	for _, c := range cases {
		if iv, ok := ImpliedVol(c.in, c.price); ok {
			t.Errorf("%s: iv %v, want no fit", c.name, iv)
		}
	}
	if _, ok := Compute(call, 0); ok {
		t.Error("greeks at zero volatility")
	}
	if _, ok := Compute(Inputs{Kind: Put, Underlying: 100, Strike: 90}, 0.2); ok {
		t.Error("greeks of an expired option")
	}
}

// 95.5 for a call just under the forward is a legitimate, huge volatility.
func TestImpliedVolNearUpperBound(t *testing.T) {
	in := Inputs{Kind: Call, Model: Black76, Underlying: 100, Strike: 100, Time: 1, Rate: 0}
	for _, vol := range []float64{3, 6, 9} {
		p, _ := Price(in, vol)
		iv, ok := ImpliedVol(in, p)
		if !ok || math.Abs(iv-vol) > 1e-8*vol {
			t.Errorf("σ=%v price %v: iv %v ok %v", vol, p, iv, ok)
		}
	}
}
