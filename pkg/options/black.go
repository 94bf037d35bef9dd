package options

import "math"

// Kind is a call or a put.
type Kind int8

const (
	Call Kind = 1
	Put  Kind = -1
)

// String is "call" or "put".
func (k Kind) String() string {
	if k == Put {
		return "put"
	}
	return "call"
}

// Model picks what Underlying in Inputs means.
type Model int8

const (
	// Black76 prices an option on a future (or forward) of the option's
	// expiry: Underlying is the future's price F, and the premium is the
	// discounted forward value e^{-rT}·E[payoff].
	Black76 Model = iota
	// BlackScholes prices an option on a spot price S paying no dividends:
	// the forward is S·e^{rT}.
	BlackScholes
)

// String is the model's name as kite prints it.
func (m Model) String() string {
	if m == BlackScholes {
		return "black-scholes"
	}
	return "black76"
}

// Inputs describe one option.
type Inputs struct {
	Kind       Kind
	Model      Model
	Underlying float64 // F for Black76, S for BlackScholes
	Strike     float64
	Time       float64 // years to expiry
	Rate       float64 // continuously compounded, per year
}

// Greeks are an option's value and sensitivities, in the package's units.
type Greeks struct {
	Price float64
	Delta float64 // per unit of the underlying
	Gamma float64 // per unit of the underlying, squared
	Theta float64 // per calendar day
	Vega  float64 // per volatility point (0.01)
}

// valid reports whether the inputs describe an option that can be priced.
func (in Inputs) valid() bool {
	return (in.Kind == Call || in.Kind == Put) &&
		(in.Model == Black76 || in.Model == BlackScholes) &&
		finitePos(in.Underlying) && finitePos(in.Strike) && finitePos(in.Time) &&
		!math.IsNaN(in.Rate) && !math.IsInf(in.Rate, 0) && math.Abs(in.Rate*in.Time) < 700
}

func finitePos(x float64) bool { return x > 0 && !math.IsInf(x, 0) }

// forward is the forward price and the discount factor of in.
func (in Inputs) forward() (f, df float64) {
	df = math.Exp(-in.Rate * in.Time)
	if in.Model == BlackScholes {
		return in.Underlying / df, df
	}
	return in.Underlying, df
}

// Intrinsic is the lowest price a European option can have: the
// discounted intrinsic value of the forward, e^{-rT}·max(θ(F−K), 0).
// It is 0 when the inputs are invalid.
func Intrinsic(in Inputs) float64 {
	if !in.valid() {
		return 0
	}
	f, df := in.forward()
	return df * math.Max(float64(in.Kind)*(f-in.Strike), 0)
}

// UpperBound is the price no European option reaches: e^{-rT}·F for a call
// (the discounted forward) and e^{-rT}·K for a put.
func UpperBound(in Inputs) float64 {
	if !in.valid() {
		return 0
	}
	f, df := in.forward()
	if in.Kind == Put {
		return df * in.Strike
	}
	return df * f
}

// normCDF is Φ(x), accurate in both tails (erfc does not cancel).
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// normPDF is φ(x).
func normPDF(x float64) float64 { return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi) }

// Price is the option's premium at volatility vol (annualised, a fraction).
// ok is false when the inputs or vol are not positive and finite.
func Price(in Inputs, vol float64) (price float64, ok bool) {
	if !in.valid() || !finitePos(vol) {
		return 0, false
	}
	f, df := in.forward()
	sd := vol * math.Sqrt(in.Time)
	d1 := (math.Log(f/in.Strike) + 0.5*sd*sd) / sd
	d2 := d1 - sd
	th := float64(in.Kind)
	p := df * th * (f*normCDF(th*d1) - in.Strike*normCDF(th*d2))
	if !finite(p) {
		return 0, false
	}
	return math.Max(p, 0), true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Compute is the option's price and greeks at volatility vol.
//
// With θ = ±1 for a call or put, D = e^{-rT}, F the forward and
// d1,2 = (ln(F/K) ± σ²T/2)/(σ√T):
//
//	Black76:      Δ = θD·Φ(θd1)      Γ = Dφ(d1)/(Fσ√T)
//	BlackScholes: Δ = θΦ(θd1)        Γ = φ(d1)/(Sσ√T)
//	both:         vega = D·F·φ(d1)·√T,
//	              annual Θ = −D·F·φ(d1)σ/(2√T) + r·(price − θ·S·Φ(θd1)·[BS])
//
// where the last term is r·price for Black76 (the premium is a discounted
// forward value) and −θ·r·K·D·Φ(θd2) for Black-Scholes.
func Compute(in Inputs, vol float64) (g Greeks, ok bool) {
	if !in.valid() || !finitePos(vol) {
		return Greeks{}, false
	}
	f, df := in.forward()
	sqT := math.Sqrt(in.Time)
	sd := vol * sqT
	d1 := (math.Log(f/in.Strike) + 0.5*sd*sd) / sd
	d2 := d1 - sd
	th := float64(in.Kind)
	n1, n2 := normCDF(th*d1), normCDF(th*d2)
	pdf := normPDF(d1)
	g.Price = math.Max(df*th*(f*n1-in.Strike*n2), 0)
	vega := df * f * pdf * sqT
	decay := -df * f * pdf * vol / (2 * sqT)
	if in.Model == BlackScholes {
		g.Delta = th * n1
		g.Gamma = pdf / (in.Underlying * sd)
		g.Theta = (decay - th*in.Rate*in.Strike*df*n2) / 365
	} else {
		g.Delta = th * df * n1
		g.Gamma = df * pdf / (f * sd)
		g.Theta = (decay + in.Rate*g.Price) / 365
	}
	g.Vega = vega / 100
	ok = finite(g.Price) && finite(g.Delta) && finite(g.Gamma) && finite(g.Theta) && finite(g.Vega)
	if !ok {
		return Greeks{}, false
	}
	return g, true
}
