package options

import (
	"math"
	"testing"
)

// FuzzImpliedVol: no input makes the solver or the greeks panic or return
// NaN/Inf, and any volatility it reports reprices to the given price.
func FuzzImpliedVol(f *testing.F) {
	f.Add(true, false, 26110.5, 26000.0, 0.0958, 0.065, 350.0, 0.15)
	f.Add(false, true, 42.0, 40.0, 0.5, 0.1, 0.81, 0.2)
	f.Add(true, false, 100.0, 500.0, 1e-6, 0.0, 1e-300, 1e-9)
	f.Add(false, false, 100.0, 100.0, 1e300, -5.0, 99.0, 1e300)
	f.Add(true, true, math.NaN(), math.Inf(1), -1.0, math.NaN(), math.Inf(-1), 0.0)
	f.Add(true, false, 5e-324, 1.7976931348623157e308, 5e-324, 700.0, 1e-310, 5e-324)
	f.Fuzz(func(t *testing.T, isCall, spot bool, u, k, T, r, price, vol float64) {
		in := Inputs{Kind: Call, Model: Black76, Underlying: u, Strike: k, Time: T, Rate: r}
		if !isCall {
			in.Kind = Put
		}
		if spot {
			in.Model = BlackScholes
		}
		if iv, ok := ImpliedVol(in, price); ok {
			if !(iv > 0) || math.IsInf(iv, 0) {
				t.Fatalf("iv %v", iv)
			}
			// Where the time value is a sensible fraction of the option's
			// range (elsewhere float64 pricing itself cancels), the answer
			// reprices to the price.
			tv := price - Intrinsic(in)
			if g, ok := Compute(in, iv); ok && tv > 1e-6*UpperBound(in) && g.Vega*100*iv > 1e-6*price {
				if math.Abs(g.Price-price) > 1e-6*price {
					t.Fatalf("iv %v reprices to %v, not %v", iv, g.Price, price)
				}
			}
		}
		g, ok := Compute(in, vol)
		for _, x := range []float64{g.Price, g.Delta, g.Gamma, g.Theta, g.Vega} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("ok=%v greeks %+v", ok, g)
			}
		}
		if p, _ := Price(in, vol); math.IsNaN(p) || math.IsInf(p, 0) {
			t.Fatalf("price %v", p)
		}
		_ = Intrinsic(in) + UpperBound(in)
	})
}
