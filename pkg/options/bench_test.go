package options

import (
	"math"
	"testing"
)

// BenchmarkChainOption is the per-option cost of a chain: implied
// volatility from the premium, then price and all greeks, over the 82
// options of a NIFTY-like expiry (strikes 24000–28000 every 100 around a
// future at 26110.5, 30 days, a smile from 12% to 25%).
func BenchmarkChainOption(b *testing.B) {
	type opt struct {
		in    Inputs
		price float64
	}
	var opts []opt
	for k := 24000.0; k <= 28000; k += 100 {
		m := math.Log(k / 26110.5)
		vol := 0.13 + 0.8*m*m - 0.1*m
		for _, kind := range []Kind{Call, Put} {
			in := Inputs{Kind: kind, Model: Black76, Underlying: 26110.5, Strike: k, Time: 30.0 / 365, Rate: 0.0536}
			p, _ := Price(in, vol)
			opts = append(opts, opt{in, math.Round(p*20) / 20})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sink float64
	for i := 0; i < b.N; i++ {
		o := opts[i%len(opts)]
		iv, ok := ImpliedVol(o.in, o.price)
		if ok {
			g, _ := Compute(o.in, iv)
			sink += g.Delta
		}
	}
	_ = sink
}
