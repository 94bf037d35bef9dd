package market

import "math"

// RiskFreeRate is the sandbox's continuously compounded interest rate,
// the default of kite chain (the 91-day Treasury bill's yield of February
// 2026, continuously compounded): options are discounted at it, and an
// option on a spot price with no future of its expiry is priced on the
// forward S·e^{rT}.
const RiskFreeRate = 0.0531

// The volatility surface. An option's implied volatility is its
// underlying's at-the-money level (annualVol: 16% × the underlying's
// relative volatility) shaped three ways:
//
//   - term structure: atm(T) = level·(0.9 + 0.35·e^{−T/0.05}): about 1.2×
//     for a week, 1.0× for two months, 0.9× far out;
//   - smile: σ = atm(T)·(1 − 0.10·z + 0.04·z²), z = ln(K/F)/(atm(T)·√T)
//     the standardised moneyness, clipped to ±4 (the wings flatten): puts
//     below the money are dearer, as on index options;
//   - the market: the level moves with the underlying, up when it falls
//     ((S/S₀)^−1.5, S₀ its base price, kept within 0.6–1.6×), and drifts
//     from day to day (±15%, smooth over about ten days).
//
// Calls and puts of one strike share σ, so put–call parity holds to the
// rounding of each premium to its tick.

// SurfaceVol is the volatility of an option struck at strike on forward,
// years from expiry, when the at-the-money level (before the term
// structure) is level.
func SurfaceVol(level, forward, strike, years float64) float64 {
	atm := level * (0.9 + 0.35*math.Exp(-years/0.05))
	z := math.Log(strike/forward) / (atm * math.Sqrt(years))
	z = math.Max(-4, math.Min(4, z))
	return atm * (1 - 0.10*z + 0.04*z*z)
}

// BlackPremium is Black's (1976) premium of a European option on forward,
// discounted at rate: e^{−rT}(F·Φ(d1) − K·Φ(d2)) for a call,
// e^{−rT}(K·Φ(−d2) − F·Φ(−d1)) for a put. The sandbox's own, so that
// kite's solver is tested against an independent implementation.
func BlackPremium(call bool, forward, strike, years, rate, vol float64) float64 {
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	sd := vol * math.Sqrt(years)
	d1 := math.Log(forward/strike)/sd + sd/2
	d2 := d1 - sd
	df := math.Exp(-rate * years)
	if call {
		return df * (forward*phi(d1) - strike*phi(d2))
	}
	return df * (strike*phi(-d2) - forward*phi(-d1))
}

// marketLevel is the day-to-day factor of an underlying's volatility
// level, from its token and the day alone (the universe prices its base
// premiums without a seed): 1 ± 15%, smooth over about ten days.
func marketLevel(underTok uint32, d int64) float64 {
	key := mix(uint64(underTok)*0x9e3779b97f4a7c15 ^ 0x7f4a7c159e3779b9)
	s := float64(d) / 10
	i := math.Floor(s)
	f := s - i
	f = f * f * (3 - 2*f)
	a := unit(key ^ uint64(int64(i))*0xbf58476d1ce4e5b9)
	b := unit(key ^ uint64(int64(i)+1)*0xbf58476d1ce4e5b9)
	return 1 + 0.15*(a+(b-a)*f)
}

// spotLevel is the volatility factor of an underlying at s against its
// base price s0: (s/s0)^−1.5 within 0.6–1.6.
func spotLevel(s, s0 float64) float64 {
	if s0 <= 0 || s <= 0 {
		return 1
	}
	x := s0 / s
	return math.Max(0.6, math.Min(1.6, x*math.Sqrt(x)))
}

// optionYears is the time to expiry the sandbox prices at on day d: whole
// days, the expiry day counting as one, over 365.
func optionYears(expiryDay, d int64) float64 {
	return (float64(expiryDay-d) + 1) / 365
}

// optionModel is an option's unrounded price at underlying price s on day
// d, with the forward, time and volatility it used.
type optionModel struct {
	Forward, Years, Vol, Premium float64
}

// carryForward is the forward of an option on an underlying at s: the
// future of its expiry (s·carry), the underlying itself when that is a
// future (carry 1), else s·e^{rT}.
func carryForward(s, carry, years float64) float64 {
	if carry > 0 {
		return s * carry
	}
	return s * math.Exp(RiskFreeRate*years)
}

// model prices the option p at underlying price s on day d.
func (p *params) model(s float64, d int64) optionModel {
	years := optionYears(p.expiryDay, d)
	f := carryForward(s, p.carry, years)
	level := p.annualVol * marketLevel(p.underTok, d) * spotLevel(s, p.under.base)
	vol := SurfaceVol(level, f, p.strike, years)
	return optionModel{Forward: f, Years: years, Vol: vol, Premium: BlackPremium(p.kind == call, f, p.strike, years, RiskFreeRate, vol)}
}

// OptionModel is how the sandbox prices an option now: the premium before
// its rounding to a tick (the middle of the model's market), the forward,
// time to expiry (years; whole days, see optionYears), rate and
// volatility it used. Prices are in the segment's units. ok is false for
// an unknown token or an option not priced from an underlying.
type OptionModel struct {
	Forward, Years, Rate, Vol, Premium float64
}

// OptionModel reports the model behind an option's current price.
func (m *Market) OptionModel(token uint32) (OptionModel, bool) {
	i, ok := m.byTok[token]
	if !ok {
		return OptionModel{}, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	st := &m.st[i]
	p := &st.p
	if p.under == nil || (p.kind != call && p.kind != put) {
		return OptionModel{}, false
	}
	j := m.byTok[p.underTok]
	u := &m.st[j]
	om := p.model(float64(u.last), u.day)
	return OptionModel{Forward: om.Forward, Years: om.Years, Rate: RiskFreeRate, Vol: om.Vol, Premium: om.Premium}, true
}
