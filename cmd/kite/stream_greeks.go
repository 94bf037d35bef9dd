package main

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/options"
	"github.com/kitecli/kite/pkg/ticks"
)

// greekOption is what pricing one option's ticks needs.
type greekOption struct {
	kind     options.Kind
	model    options.Model
	strike   float64
	expires  time.Time
	underTok uint32
}

// greeksTracker adds iv and greeks to option ticks for kite stream
// --greeks. It follows the last price of each option's underlying (the
// future of the same expiry, or the spot; see kite chain --help) from the
// same stream, and hides the ticks of underlyings it subscribed itself.
type greeksTracker struct {
	rate   float64
	opts   map[uint32]greekOption
	under  map[uint32]float64 // underlying token → last price
	hidden map[uint32]bool    // underlyings subscribed only for the greeks
	extra  []uint32           // tokens to subscribe besides the user's
	now    func() time.Time
}

// newGreeksTracker finds the options among insts, their models and
// underlyings, from the instrument dumps of their exchanges.
func newGreeksTracker(ctx context.Context, f *Factory, insts []instrument) (*greeksTracker, error) {
	rate, err := riskFreeRate(f.Getenv)
	if err != nil {
		return nil, err
	}
	g := &greeksTracker{rate: rate, opts: map[uint32]greekOption{}, under: map[uint32]float64{}, hidden: map[uint32]bool{}, now: time.Now}
	asked := map[uint32]bool{}
	dumps := map[string][]kite.Instrument{}
	load := func(exch string) ([]kite.Instrument, error) {
		if d, ok := dumps[exch]; ok {
			return d, nil
		}
		d, err := f.instruments(ctx, exch)
		dumps[exch] = d
		return d, err
	}
	for _, in := range insts {
		asked[in.token] = true
	}
	for _, in := range insts {
		exch := map[uint8]string{ticks.SegmentNFO: "NFO", ticks.SegmentBFO: "BFO", ticks.SegmentMCX: "MCX", ticks.SegmentCDS: "CDS", ticks.SegmentBCD: "BCD"}[uint8(in.token)]
		if exch == "" {
			continue // not a derivative: its ticks are unchanged
		}
		dump, err := load(exch)
		if err != nil {
			return nil, err
		}
		var opt kite.Instrument
		for _, d := range dump {
			if d.InstrumentToken == in.token {
				opt = d
				break
			}
		}
		if opt.InstrumentType != "CE" && opt.InstrumentType != "PE" {
			continue // a future
		}
		c, err := selectChain(dump, opt.Name, exch, opt.Expiry)
		if err != nil {
			return nil, err
		}
		underExch, _, _ := strings.Cut(c.Underlying, ":")
		udump, err := load(underExch)
		if err != nil {
			return nil, err
		}
		var utok uint32
		for _, d := range udump {
			if d.Symbol() == c.Underlying {
				utok = d.InstrumentToken
				break
			}
		}
		if utok == 0 {
			return nil, exitcode.Usagef("%s's underlying %s is not in Kite's instrument list, so --greeks cannot price it", opt.Symbol(), c.Underlying)
		}
		kind := options.Call
		if opt.InstrumentType == "PE" {
			kind = options.Put
		}
		g.opts[in.token] = greekOption{kind: kind, model: c.Model, strike: opt.Strike, expires: c.Expires, underTok: utok}
		if _, ok := g.under[utok]; !ok {
			g.under[utok] = 0
			if !asked[utok] {
				g.hidden[utok] = true
				g.extra = append(g.extra, utok)
			}
		}
	}
	return g, nil
}

// observe notes an underlying's price; it reports whether the tick is to
// be printed (not an underlying only subscribed for the greeks).
func (g *greeksTracker) observe(t *ticks.Tick) bool {
	if _, ok := g.under[t.InstrumentToken]; ok && t.LastPrice > 0 {
		g.under[t.InstrumentToken] = float64(t.LastPrice) / float64(ticks.Divisor(uint8(t.InstrumentToken)))
	}
	return !g.hidden[t.InstrumentToken]
}

// appendGreeks adds iv, delta, gamma, theta, vega, underlying_price and
// time_to_expiry to the option tick record ending buf ("…}\n"); other
// ticks are left as they are. Values that cannot be computed (no price of
// the underlying yet, no volatility fits) are null.
func (g *greeksTracker) appendGreeks(buf []byte, t *ticks.Tick) []byte {
	o, ok := g.opts[t.InstrumentToken]
	if !ok {
		return buf
	}
	buf = buf[:len(buf)-2]
	s := g.under[o.underTok]
	years := math.Max(yearsTo(g.now(), o.expires), 0)
	in := options.Inputs{Kind: o.kind, Model: o.model, Underlying: s, Strike: o.strike, Time: years, Rate: g.rate}
	price := float64(t.LastPrice) / float64(ticks.Divisor(uint8(t.InstrumentToken)))
	var gr options.Greeks
	iv, ok := options.ImpliedVol(in, price)
	if ok {
		gr, ok = options.Compute(in, iv)
	}
	num := func(name string, v float64, d int, have bool) {
		buf = append(buf, name...)
		if !have {
			buf = append(buf, "null"...)
			return
		}
		buf = strconv.AppendFloat(buf, round(v, d), 'f', -1, 64)
	}
	num(`,"iv":`, iv, 6, ok)
	num(`,"delta":`, gr.Delta, 6, ok)
	num(`,"gamma":`, gr.Gamma, 8, ok)
	num(`,"theta":`, gr.Theta, 6, ok)
	num(`,"vega":`, gr.Vega, 6, ok)
	num(`,"underlying_price":`, s, 4, s > 0)
	num(`,"time_to_expiry":`, years, 6, true)
	return append(buf, '}', '\n')
}
