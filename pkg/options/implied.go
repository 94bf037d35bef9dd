package options

import "math"

// ImpliedVol is the volatility at which the option's premium is price, to
// about 1e-12 relative in the normalised price (far better than 1e-8 in
// volatility wherever the price carries that information).
//
// ok is false when no volatility fits: the inputs are invalid (expired,
// non-positive or non-finite), the price is not finite, at or below the
// discounted intrinsic value, or at or above the upper bound (the
// discounted forward for a call, the discounted strike for a put), or its
// time value is below 1e-300 of √(FK), too small to carry a volatility.
//
// The solver works on the normalised out-of-the-money price (an
// in-the-money option is turned into the out-of-the-money one of the
// other kind by put–call parity, which is exact in these terms), then runs
// Newton's method on total volatility s = σ√T from the inflection point of
// the price curve, s_c = √(2|x|), where convergence is monotone. Below the
// inflection point it iterates on ln(price), which stays well conditioned
// for deep out-of-the-money options and short expiries where the price
// itself is exponentially small. Every step is safeguarded by a bracket
// and falls back to bisection, so it always terminates with an answer.
func ImpliedVol(in Inputs, price float64) (vol float64, ok bool) {
	if !in.valid() || !finitePos(price) {
		return 0, false
	}
	f, df := in.forward()
	p := price / df
	k := in.Strike
	var intrinsic, upper float64
	if in.Kind == Call {
		intrinsic, upper = math.Max(f-k, 0), f
	} else {
		intrinsic, upper = math.Max(k-f, 0), k
	}
	if !(p > intrinsic) || !(p < upper) || !finite(p) {
		return 0, false
	}
	// Normalised by √(FK), with x = −|ln(F/K)| so the option is an
	// out-of-the-money (or at-the-money) call: b(x, s) = e^{x/2}Φ(x/s + s/2)
	// − e^{−x/2}Φ(x/s − s/2), between 0 and e^{x/2}.
	x := -math.Abs(math.Log(f / k))
	b := (p - intrinsic) / math.Sqrt(f*k)
	// Below 1e-300 the normalised price is near float64's subnormal range,
	// where it no longer carries a volatility to 1e-8.
	if !(b > 1e-300) || !(b < math.Exp(x/2)) || !finite(b) {
		return 0, false
	}
	s, ok := normalisedVol(x, b)
	if !ok {
		return 0, false
	}
	vol = s / math.Sqrt(in.Time)
	if !finitePos(vol) {
		return 0, false
	}
	return vol, true
}

// normBlack is b(x, s) for x ≤ 0 and s > 0; ex and emx are e^{x/2} and
// e^{−x/2}, computed once by the caller.
func normBlack(x, s, ex, emx float64) float64 {
	if x == 0 {
		// 2Φ(s/2) − 1 without the cancellation near s = 0.
		return math.Erf(s / (2 * math.Sqrt2))
	}
	h := x / s
	t := s / 2
	v := ex*normCDF(h+t) - emx*normCDF(h-t)
	return math.Max(v, 0)
}

// normVega is ∂b/∂s = e^{x/2}·φ(x/s + s/2) = φ(x/s)·e^{−s²/8}.
func normVega(x, s float64) float64 {
	h := x / s
	return math.Exp(-0.5*h*h-s*s/8) / math.Sqrt(2*math.Pi)
}

// normalisedVol solves b(x, s) = target for s, with x ≤ 0 and
// 0 < target < e^{x/2}.
func normalisedVol(x, target float64) (float64, bool) {
	if x == 0 {
		// Closed form at the money: s = 2Φ⁻¹((1+b)/2) = 2√2·erf⁻¹(b).
		s := 2 * math.Sqrt2 * math.Erfinv(target)
		return s, finitePos(s)
	}
	ex, emx := math.Exp(x/2), math.Exp(-x/2)
	sc := math.Sqrt(-2 * x)
	bc := normBlack(x, sc, ex, emx)
	// lo and hi bracket the root: b(lo) < target < b(hi).
	lo, hi := 0.0, math.Inf(1)
	useLog := target < bc
	var s float64
	logTarget := math.Log(target)
	if useLog {
		hi = sc
		s = initialGuess(x, target, logTarget, ex, emx)
		if !(s > 0 && s < sc) {
			s = sc / 2
		}
	} else {
		lo = sc
		s = sc
	}
	for i := 0; i < 100; i++ {
		bs := normBlack(x, s, ex, emx)
		vega := normVega(x, s)
		// Halley's step (third order), on ln b below the inflection
		// point and on b above it; ∂²b/∂s² = vega·(x²/s³ − s/4).
		curv := vega * (x*x/(s*s*s) - s/4)
		var diff, slope, slope2 float64
		if useLog {
			if bs <= 0 {
				// Underflow: the root is further right.
				lo = s
				s = next(lo, hi)
				continue
			}
			diff, slope = math.Log(bs)-logTarget, vega/bs
			slope2 = curv/bs - slope*slope
		} else {
			diff, slope, slope2 = bs-target, vega, curv
		}
		if diff == 0 {
			return s, true
		}
		if diff < 0 {
			lo = math.Max(lo, s)
		} else {
			hi = math.Min(hi, s)
		}
		step := -diff / slope
		if h := 1 + 0.5*step*slope2/slope; h > 0.5 && h < 2 {
			step /= h
		}
		n, polished := s+step, true
		if !(n > lo && n < hi) || !finite(n) {
			n, polished = next(lo, hi), false
		}
		// A Newton or Halley step under 1e-7 relative leaves an error of
		// the order of its square or cube, under 1e-13; a bisection step
		// says nothing of the kind, only the bracket does.
		if (polished && math.Abs(n-s) <= 1e-7*s) || hi-lo <= 1e-15*lo {
			return n, finitePos(n)
		}
		s = n
	}
	return s, finitePos(s)
}

// next is the bisection point of [lo, hi], doubling when hi is unbounded.
func next(lo, hi float64) float64 {
	if math.IsInf(hi, 1) {
		return 2*lo + 1
	}
	return lo + (hi-lo)/2
}

// initialGuess is a starting s below the inflection point. For s ≪ |x|,
// b ≈ φ(x/s)·s³/x² (the out-of-the-money tail), so
// s = |x|/√(2(3 ln s − 2 ln|x| − ln√(2π) − ln b)), iterated twice from
// s = |x|/√(−2 ln b); near the money b ≈ s/√(2π) instead. The larger of
// the two is taken: each underestimates where the other applies.
func initialGuess(x, b, logB, ex, emx float64) float64 {
	ax := math.Abs(x)
	s := ax / math.Sqrt(-2*logB)
	c := -2*math.Log(ax) - 0.5*math.Log(2*math.Pi) - logB
	for range 2 {
		if d := 3*math.Log(s) + c; d > 0 {
			s = ax / math.Sqrt(2*d)
		}
	}
	// Corrado and Miller's (1996) quadratic approximation, in normalised
	// units, is good near the money.
	half := b - (ex-emx)/2
	cm := math.Sqrt(2*math.Pi) / (ex + emx) * (half + math.Sqrt(math.Max(half*half-(ex-emx)*(ex-emx)/math.Pi, 0)))
	return math.Max(s, cm)
}
