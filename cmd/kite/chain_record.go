package main

import (
	"math"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/options"
)

// chainRecord is one strike of a chain; its JSON shape is documented in
// `kite chain --help` and fixed.
type chainRecord struct {
	Underlying      string      `json:"underlying"`
	UnderlyingPrice float64     `json:"underlying_price"`
	Expiry          string      `json:"expiry"`
	TimeToExpiry    float64     `json:"time_to_expiry"`
	Rate            float64     `json:"rate"`
	Model           string      `json:"model"`
	Price           string      `json:"price"`
	Strike          float64     `json:"strike"`
	Call            *chainQuote `json:"call"`
	Put             *chainQuote `json:"put"`
}

// chainQuote is one option of a strike: its market and its greeks. The
// greeks and iv are null when no volatility fits the option's price.
type chainQuote struct {
	Symbol          string   `json:"symbol"`
	InstrumentToken uint32   `json:"instrument_token"`
	LastPrice       float64  `json:"last_price"`
	Bid             *float64 `json:"bid"`
	Ask             *float64 `json:"ask"`
	Volume          int64    `json:"volume"`
	OI              int64    `json:"oi"`
	OIChange        *int64   `json:"oi_change"`
	IV              *float64 `json:"iv"`
	Delta           *float64 `json:"delta"`
	Gamma           *float64 `json:"gamma"`
	Theta           *float64 `json:"theta"`
	Vega            *float64 `json:"vega"`
}

// marketQuote is what a chain needs of one instrument's market: from
// Kite's quote endpoint, or kept current from ticks with --live.
type marketQuote struct {
	LastPrice float64
	Bid, Ask  float64 // 0 = none
	Volume    int64
	OI        int64
}

// chainPricing is what every record of one chain shares.
type chainPricing struct {
	Contracts  chainContracts
	UnderPrice float64
	Now        time.Time
	Rate       float64
	PriceMode  string // last or mid
}

// optionPrice is the premium iv is solved from: the last traded price, or
// the middle of the best bid and ask; 0 when there is none.
func optionPrice(q marketQuote, mode string) float64 {
	if mode == "mid" {
		if q.Bid > 0 && q.Ask > 0 && q.Ask >= q.Bid {
			return (q.Bid + q.Ask) / 2
		}
		return 0
	}
	return q.LastPrice
}

// quoteSide is one option's half of a record.
func (p *chainPricing) quoteSide(in kite.Instrument, q marketQuote, t float64) *chainQuote {
	s := &chainQuote{
		Symbol: in.Symbol(), InstrumentToken: in.InstrumentToken,
		LastPrice: q.LastPrice, Volume: q.Volume, OI: q.OI,
	}
	if q.Bid > 0 {
		s.Bid = ptr(q.Bid)
	}
	if q.Ask > 0 {
		s.Ask = ptr(q.Ask)
	}
	kind := options.Call
	if in.InstrumentType == "PE" {
		kind = options.Put
	}
	oin := options.Inputs{Kind: kind, Model: p.Contracts.Model, Underlying: p.UnderPrice, Strike: in.Strike, Time: t, Rate: p.Rate}
	iv, ok := options.ImpliedVol(oin, optionPrice(q, p.PriceMode))
	if !ok {
		return s
	}
	g, ok := options.Compute(oin, iv)
	if !ok {
		return s
	}
	s.IV, s.Delta, s.Gamma = ptr(round(iv, 6)), ptr(round(g.Delta, 6)), ptr(round(g.Gamma, 8))
	s.Theta, s.Vega = ptr(round(g.Theta, 6)), ptr(round(g.Vega, 6))
	return s
}

// records builds the records of strikes from the options' quotes (keyed
// by instrument token).
func (p *chainPricing) records(strikes []float64, quotes map[uint32]marketQuote) []chainRecord {
	t := yearsTo(p.Now, p.Contracts.Expires)
	byStrike := map[float64]*chainRecord{}
	out := make([]chainRecord, len(strikes))
	for i, k := range strikes {
		out[i] = chainRecord{
			Underlying: p.Contracts.Underlying, UnderlyingPrice: p.UnderPrice, Expiry: p.Contracts.Expiry,
			TimeToExpiry: round(math.Max(t, 0), 6), Rate: p.Rate, Model: p.Contracts.Model.String(),
			Price: p.PriceMode, Strike: k,
		}
		byStrike[k] = &out[i]
	}
	for _, in := range p.Contracts.Options {
		r, ok := byStrike[in.Strike]
		if !ok {
			continue
		}
		side := p.quoteSide(in, quotes[in.InstrumentToken], t)
		if in.InstrumentType == "CE" {
			r.Call = side
		} else {
			r.Put = side
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// pow10 are the scales round uses.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8}

// round keeps d decimals (d ≤ 8): the JSON stays readable, and no figure
// here is meaningful beyond them.
func round(x float64, d int) float64 {
	return math.Round(x*pow10[d]) / pow10[d]
}
