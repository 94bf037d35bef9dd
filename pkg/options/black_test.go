package options

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.6f, want %.6f ± %g", what, got, want, tol)
	}
}

// Hull, "Options, Futures, and Other Derivatives" (8th ed., Pearson 2012),
// Example 15.6: S0 = 42, K = 40, r = 10%, σ = 20%, T = 0.5 gives
// d1 = 0.7693, d2 = 0.6278, c = 4.76 and p = 0.81.
func TestHullBlackScholesExample(t *testing.T) {
	in := Inputs{Kind: Call, Model: BlackScholes, Underlying: 42, Strike: 40, Time: 0.5, Rate: 0.1}
	c, ok := Price(in, 0.2)
	if !ok {
		t.Fatal("call not priced")
	}
	near(t, "call", c, 4.76, 0.005)
	in.Kind = Put
	p, _ := Price(in, 0.2)
	near(t, "put", p, 0.81, 0.005)
}

// Hull (8th ed.), Section 18.8, Black's model, the crude-oil example: a
// European put on a futures contract with F0 = 20, K = 20, r = 9%,
// T = 4 months, σ = 25% has d1 = 0.07216 and is worth 1.12.
func TestHullBlack76Example(t *testing.T) {
	in := Inputs{Kind: Put, Model: Black76, Underlying: 20, Strike: 20, Time: 4.0 / 12, Rate: 0.09}
	p, ok := Price(in, 0.25)
	if !ok {
		t.Fatal("put not priced")
	}
	near(t, "put", p, 1.12, 0.005)
}

// Hull (8th ed.), Chapter 19 "The Greek Letters", the running example: a
// call with S0 = 49, K = 50, r = 5%, σ = 20%, T = 20 weeks (0.3846 years)
// is worth 2.40 (Section 19.1: 240,000 for 100,000 options), with
// delta 0.522 (Example 19.1), theta −4.31 per year (Example 19.2: −0.0118
// per calendar day), gamma 0.066 (Example 19.4) and vega 12.1 (Example 19.6:
// 0.121 per volatility point).
func TestHullGreeksExample(t *testing.T) {
	in := Inputs{Kind: Call, Model: BlackScholes, Underlying: 49, Strike: 50, Time: 20.0 / 52, Rate: 0.05}
	g, ok := Compute(in, 0.2)
	if !ok {
		t.Fatal("not computed")
	}
	near(t, "price", g.Price, 2.40, 0.005)
	near(t, "delta", g.Delta, 0.522, 0.0005)
	near(t, "gamma", g.Gamma, 0.066, 0.0005)
	near(t, "theta per day", g.Theta, -4.31/365, 0.00005)
	near(t, "vega per point", g.Vega, 0.121, 0.0005)
}

// Put–call parity: c − p = e^{-rT}(F − K), with F = S·e^{rT} on a spot.
func TestPutCallParity(t *testing.T) {
	for _, m := range []Model{Black76, BlackScholes} {
		for _, k := range []float64{50, 90, 100, 110, 200} {
			for _, T := range []float64{1.0 / 365, 0.1, 1, 3} {
				for _, vol := range []float64{0.05, 0.2, 0.8} {
					in := Inputs{Kind: Call, Model: m, Underlying: 100, Strike: k, Time: T, Rate: 0.065}
					c, _ := Price(in, vol)
					in.Kind = Put
					p, _ := Price(in, vol)
					df := math.Exp(-0.065 * T)
					fwd := 100.0
					if m == BlackScholes {
						fwd = 100 / df
					}
					if want := df * (fwd - k); math.Abs(c-p-want) > 1e-9 {
						t.Errorf("%v K=%v T=%v σ=%v: c−p = %v, want %v", m, k, T, vol, c-p, want)
					}
				}
			}
		}
	}
}

// Every greek against central finite differences of Price.
func TestGreeksMatchFiniteDifferences(t *testing.T) {
	price := func(in Inputs, vol float64) float64 {
		p, ok := Price(in, vol)
		if !ok {
			t.Fatalf("%+v σ=%v not priced", in, vol)
		}
		return p
	}
	for _, m := range []Model{Black76, BlackScholes} {
		for _, kind := range []Kind{Call, Put} {
			for _, k := range []float64{80, 97, 100, 104, 125} {
				for _, T := range []float64{7.0 / 365, 0.25, 2} {
					for _, vol := range []float64{0.1, 0.3, 0.9} {
						in := Inputs{Kind: kind, Model: m, Underlying: 100, Strike: k, Time: T, Rate: 0.07}
						g, ok := Compute(in, vol)
						if !ok {
							t.Fatalf("%+v not computed", in)
						}
						name := in.Model.String() + " " + kind.String()
						near(t, name+" price", g.Price, price(in, vol), 1e-12)
						h := 1e-3
						up, dn := in, in
						up.Underlying += h
						dn.Underlying -= h
						pu, p0, pd := price(up, vol), price(in, vol), price(dn, vol)
						near(t, name+" delta", g.Delta, (pu-pd)/(2*h), 1e-6)
						near(t, name+" gamma", g.Gamma, (pu-2*p0+pd)/(h*h), 1e-4)
						dt := 1e-5
						later, earlier := in, in
						later.Time -= dt
						earlier.Time += dt
						near(t, name+" theta", g.Theta, (price(later, vol)-price(earlier, vol))/(2*dt)/365, 1e-6)
						dv := 1e-5
						near(t, name+" vega", g.Vega, (price(in, vol+dv)-price(in, vol-dv))/(2*dv)/100, 1e-6)
					}
				}
			}
		}
	}
}
